"""Officers spend their day in the Wagtail admin too: link them to the dossier queue."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core import roles


class DossierQueueMenuItem(MenuItem):
    def is_shown(self, request):
        return roles.has_role(request.user, roles.OFFICER, roles.MANAGER)


@hooks.register("register_admin_menu_item")
def dossier_queue_menu_item():
    return DossierQueueMenuItem(
        _("Dossiers"), reverse("proposal_list"), icon_name="clipboard-list", order=150
    )
