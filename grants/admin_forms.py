"""Wagtail admin forms with rules that span a model and its inline children."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm


class RubricForm(WagtailAdminModelForm):
    """Maxima must add up to 100; at most one tie-break; a rubric in use stays as it is."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        rows = [
            form.cleaned_data
            for form in self.formsets["criteria"].forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        total = sum(row.get("max_points") or 0 for row in rows)
        if total != 100:
            self.add_error(
                None,
                _("The maximum points add up to %(total)d; they must add up to 100.")
                % {"total": total},
            )
        if sum(1 for row in rows if row.get("tiebreak")) > 1:
            self.add_error(None, _("Only one criterion can break ties."))
        if self.instance.pk and self.instance.in_use():
            self.add_error(
                None, _("Ballots have been submitted on this rubric; it can no longer change.")
            )
        return not self.errors
