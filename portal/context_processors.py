from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from core import roles


def portal(request):
    """Language links for the current page and the signed-in user's roles."""
    current = translation.get_language()
    page = getattr(request, "_portal_page", None)
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if page is not None:
            translated = (
                page.get_translations(inclusive=True)
                .filter(locale__language_code=code)
                .live()
                .first()
            )
            url = translated.url if translated else None
        links.append(
            {
                "code": code,
                "name": name,
                "url": url or translate_url(request.get_full_path(), code),
                "current": code == current,
            }
        )
    user_roles = roles.roles_of(getattr(request, "user", None))
    return {
        "language_links": links,
        "user_roles": user_roles,
        "role_labels": [roles.ROLE_LABELS[r] for r in roles.ALL_ROLES if r in user_roles],
        "is_officer": roles.OFFICER in user_roles,
    }
