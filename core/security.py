"""Browser-side defences: safe inline JSON-LD, the Content-Security-Policy by path, private caching.

The policy itself is in settings (`CONTENT_SECURITY_POLICY`, and `PORTAL_CSP_BY_PATH` for the few
third-party pages that need a looser one); docs/operations.md → "Security headers" explains how to
loosen it for a new page.
"""

import json

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.cache import patch_cache_control
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe


def json_ld(data):
    """`data` as a `<script type="application/ld+json">` element that no value can break out of.

    Like Django's `json_script`, which cannot set the type: `<`, `>` and `&` are written as JSON
    escapes (`\\u003C`…) with Django's own table, so `</script>` or `<!--` in a title stays inside
    the string and the block still parses as the same JSON.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        _json_script_escapes
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware; a response under a prefix of `PORTAL_CSP_BY_PATH` gets that policy.

    A view's own `@csp`/`@csp_update`/`@csp_replace` decorator still wins over both.
    """

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None:
            for prefix, directives in getattr(settings, "PORTAL_CSP_BY_PATH", {}).items():
                if request.path_info.startswith(prefix):
                    parts.config = {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], **directives}
                    break
        return parts


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in person.

    What a signed-in person sees (dossiers, receipts, decisions, deals, their API results, even the
    page chrome with their name) must not stay in a shared proxy cache or in the browser's cache
    for the next user of the same computer. Private file downloads need a sign-in, so they are
    covered too. Static files never get here (WhiteNoise answers them first); public pages for
    anonymous visitors stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Asked before the view too: an API view without authentication classes replaces
        # request.user with AnonymousUser, but the person is still signed in.
        signed_in = self._signed_in(request)
        response = self.get_response(request)
        if signed_in or self._signed_in(request):  # or signed in by this very request
            # patch_cache_control drops a `public` the view may have set, and no max-age is kept.
            if "max-age" in response.get("Cache-Control", ""):
                patch_cache_control(response, max_age=0)
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _signed_in(request):
        user = getattr(request, "user", None)
        return user is not None and user.is_authenticated
