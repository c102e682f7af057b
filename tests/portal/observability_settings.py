# ruff: noqa: F405
"""Production settings with a view that raises (tests/portal/test_observability.py)."""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.portal.observability_urls"
# No collectstatic in a test run: the 500 page's {% static %} needs no manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}  # noqa: F405
# No database in this server: drop the middleware that reads the site and redirects tables.
MIDDLEWARE = [  # noqa: F405
    name
    for name in MIDDLEWARE  # noqa: F405
    if name
    not in {
        "cms.middleware.CachedSiteMiddleware",
        "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    }
]
