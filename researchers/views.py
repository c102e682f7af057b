from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from researchers.forms import ProfileForm
from researchers.models import Profile


@login_required
def profile(request):
    """A person keeps their own profile: name, degree, ORCID, organisation, expertise."""
    instance = Profile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "researchers/profile.html", {"form": form})
