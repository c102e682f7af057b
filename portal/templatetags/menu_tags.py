"""The header's main menu: the public sections, then what each signed-in role uses, each entry
marking whether it is the current page (`aria-current="page"`) or its section (`"true"`)."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import pgettext

from core import roles

register = template.Library()


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # a section not installed (a test's URLconf): no entry
        return ""


def _public():
    return [
        (pgettext("menu", "Calls"), _url("wagtail_serve", "calls/")),
        (pgettext("menu", "Technologies"), _url("technology_list")),
        (pgettext("menu", "Needs"), _url("need_list")),
        (pgettext("menu", "News"), _url("wagtail_serve", "tin-tuc/")),
        (pgettext("menu", "How to apply"), _url("wagtail_serve", "huong-dan/")),
    ]


def _workspace(user):
    """What the user's roles use, in the order of the work: their dashboard first."""
    held = roles.roles_of(user)
    entries = [(pgettext("menu", "Dashboard"), _url("dashboard"))]
    queue = _url("proposal_list")
    if held & {roles.OFFICER, roles.MANAGER}:
        entries.append((pgettext("menu", "Dossiers"), queue))
    if roles.RESEARCHER in held:
        entries.append((pgettext("menu", "My proposals"), f"{queue}?mine=1"))
    if roles.REVIEWER in held:
        entries.append((pgettext("menu", "Councils"), _url("review_list")))
    if roles.OFFICER in held:
        entries.append((pgettext("menu", "Moderation"), _url("technology_moderation")))
    if held & {roles.OFFICER, roles.BUSINESS, roles.RESEARCHER}:
        entries.append((pgettext("menu", "Deals"), _url("deal_list")))
    if user.is_superuser:
        entries.append((pgettext("menu", "Administration"), "/django-admin/"))
    return entries


def _marked(entries, request):
    """Each (label, url) as {label, url, current}: "page" on the entry's own address, "true"
    inside its section (the longest matching path wins, so one entry is marked)."""
    path = request.path if request is not None else ""
    full = request.get_full_path() if request is not None else ""
    home = _url("wagtail_serve", "")
    best, best_len = None, 0
    for index, (_label, url) in enumerate(entries):
        bare = url.split("?")[0]
        if url and (full == url or (bare != home and path.startswith(bare))):
            score = len(bare) + (1000 if full == url else 0)
            if score > best_len:
                best, best_len = index, score
    rows = []
    for index, (label, url) in enumerate(entries):
        current = ""
        if index == best:
            current = "page" if full == url or path == url else "true"
        rows.append({"label": label, "url": url, "current": current})
    return rows


@register.simple_tag(takes_context=True)
def main_menu(context):
    """{"public": [...], "workspace": [...]} for the header, the current entry marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    public = [entry for entry in _public() if entry[1]]
    signed_in = user is not None and user.is_authenticated
    workspace = [entry for entry in _workspace(user) if entry[1]] if signed_in else []
    marked = _marked(public + workspace, request)
    return {"public": marked[: len(public)], "workspace": marked[len(public) :]}
