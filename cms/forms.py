from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class AltTextImageForm(BaseImageForm):
    """Every image in the library carries its text alternative (Wagtail's `description`).

    `{% image %}` renders it as the `alt` attribute (`Image.default_alt_text`); the form in the
    admin, the chooser's upload tab and the multiple uploader all refuse an image without one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("description")
        if field is not None:
            field.required = True
            field.label = _("Text alternative (alt)")
            field.help_text = _(
                "What the image shows, for people who cannot see it; read out by screen readers."
            )
            field.error_messages["required"] = _(
                "Describe what the image shows: the text alternative is required."
            )
