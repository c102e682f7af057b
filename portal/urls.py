import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from grants import public_views as grants_public
from grants import review_views
from portal import (
    admin_signin,
    api,
    feeds,
    metrics,
    open_data_views,
    search,
    sitemaps,
    token_views,
    verify_views,
    views,
    webhook_views,
)
from researchers import pickers
from researchers import views as researcher_views

# Both admins sign people in through allauth (rate limits, TOTP): portal/admin_signin.py.
admin.site.login = admin_signin.django_admin_login
admin.site.logout = admin_signin.django_admin_logout

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/login/", admin_signin.wagtail_admin_login),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/", include("portal.api")),
    # Suggestions for the organisation pickers of the queue and the catalogue (JSON).
    path("organisations/suggest/", pickers.suggest, name="organisation_suggest"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
]

urlpatterns += i18n_patterns(
    path("accounts/profile/", researcher_views.profile, name="profile"),
    path("accounts/privacy/", include("researchers.privacy_urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("stats/", views.stats, name="stats"),
    path("funded/", grants_public.funded_list, name="funded_list"),
    path("feeds/calls/", feeds.OpenCallsFeed(), name="feed_calls"),
    path("feeds/calls/atom/", feeds.atom(feeds.OpenCallsFeed)(), name="feed_calls_atom"),
    path("feeds/news/", feeds.NewsFeed(), name="feed_news"),
    path("feeds/news/atom/", feeds.atom(feeds.NewsFeed)(), name="feed_news_atom"),
    path("feeds/technologies/", feeds.TechnologiesFeed(), name="feed_technologies"),
    path(
        "feeds/technologies/atom/",
        feeds.atom(feeds.TechnologiesFeed)(),
        name="feed_technologies_atom",
    ),
    path("verify/", verify_views.document_verify, name="document_verify"),
    path("people/reviewers/", views.reviewers, name="reviewers"),
    path(
        "people/reviewers/<int:user_id>/",
        views.change_reviewer_role,
        name="change_reviewer_role",
    ),
    path("people/memberships/", include("researchers.urls")),
    # The officers' export for the national platform, beside the queue's own exports.
    path(
        "proposals/export/tasks.<str:fmt>",
        open_data_views.tasks_download,
        name="task_export",
    ),
    path("proposals/", include("grants.urls")),
    path("proposals/", include("projects.urls")),
    path("", include("transfer.urls")),
    path("reviews/", review_views.review_list, name="review_list"),
    path("reviews/<int:pk>/", review_views.review_detail, name="review_detail"),
    path("search/", search.search, name="search"),
    # -- issue 15: webhooks (the officer's endpoints; core.webhooks) --
    path("integrations/webhooks/", webhook_views.endpoint_list, name="webhook_list"),
    path("integrations/webhooks/add/", webhook_views.endpoint_add, name="webhook_add"),
    path("integrations/webhooks/<int:pk>/", webhook_views.endpoint_detail, name="webhook_detail"),
    path("integrations/webhooks/<int:pk>/edit/", webhook_views.endpoint_edit, name="webhook_edit"),
    path(
        "integrations/webhooks/<int:pk>/delete/",
        webhook_views.endpoint_delete,
        name="webhook_delete",
    ),
    path("integrations/webhooks/<int:pk>/test/", webhook_views.endpoint_test, name="webhook_test"),
    path(
        "integrations/webhooks/<int:pk>/rotate/",
        webhook_views.endpoint_rotate,
        name="webhook_rotate",
    ),
    # -- issue 15: integration tokens (portal/tokens.py) --
    path("integrations/tokens/", token_views.token_list, name="integration_tokens"),
    path("integrations/tokens/new/", token_views.token_issue, name="integration_token_issue"),
    path(
        "integrations/tokens/<int:pk>/",
        token_views.token_detail,
        name="integration_token_detail",
    ),
    path(
        "integrations/tokens/<int:pk>/revoke/",
        token_views.token_revoke,
        name="integration_token_revoke",
    ),
    # -- issue 14: errors --
    # The API's reference in the portal's layout: /api/docs/ and /en/api/docs/ (portal.api).
    path("api/docs/", api.api_docs, name="api-docs"),
    # -- issue 14: dashboards --
    # -- issue 14: search --
    # -- issue 14: language --
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG or getattr(settings, "PORTAL_SERVE_MEDIA", False):
    # Public uploads (CMS images) from Django itself: under DEBUG, and under `make run`, which
    # serves the demo without DEBUG (its error pages are the portal's). Production: nginx.
    from django.views.static import serve

    urlpatterns = [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        ),
        *urlpatterns,
    ]

# The portal's error pages (portal/errors.py): in its layout and language, JSON under /api/.
# allauth's rate limits look up `handler429` here too (allauth.core.internal.ratelimit).
handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler429 = "portal.errors.too_many_requests"
handler500 = "portal.errors.server_error"

# Wagtail's own login forms (the admin's, and the one for private pages) signed a person in with a
# password only: no allauth rate limit, no two-factor step for staff. Both lead to allauth's login
# instead, with the same `next` (allauth keeps only same-site targets). Its logout signed staff
# out on a mere GET (any page could do it): allauth's logout asks first.
# (`/admin/login/` is portal.admin_signin.wagtail_admin_login, above.)
urlpatterns = [
    path(
        "admin/logout/",
        RedirectView.as_view(pattern_name="account_logout"),
        name="wagtailadmin_logout",
    ),
    re_path(
        r"^(?:en/)?_util/login/$",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailcore_login",
    ),
    *urlpatterns,
]
