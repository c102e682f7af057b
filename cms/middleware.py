"""The site a request is for and its settings (the Department's name, address, contacts), read
from the cache instead of two queries on every page: they change a few times a year.

Every save or deletion of a Site or of SiteSettings forgets them (`forget_sites`, connected in
cms.apps). The default cache is per process: another worker of the same server sees a change
within `SITES_TTL` seconds; with a shared cache (Redis, docs/operations.md) at once."""

from django.core.cache import cache
from wagtail.models import Site

from cms.models import SiteSettings

SITES_KEY = "cms:sites"
SITES_TTL = 300
# Hosts remembered at most (ALLOWED_HOSTS bounds them in production; this bounds them in dev).
MAX_HOSTS = 20
# Probes and the metrics scrape need no site: /healthz must answer without the database (a slow
# database must not make the load balancer restart healthy workers), and an empty cache after a
# restart would otherwise cost two queries on the first probe.
SKIP_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def forget_sites(**_kwargs):
    cache.delete(SITES_KEY)


class CachedSiteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in SKIP_PATHS:
            self.remember(request)
        return self.get_response(request)

    @staticmethod
    def remember(request):
        host = f"{request.get_host()}|{request.get_port()}".lower()
        sites = cache.get(SITES_KEY) or {}
        found = sites.get(host)
        if found is None:
            site = Site.find_for_request(request)
            if site is None:
                return
            found = (site, SiteSettings.for_site(site))
            if len(sites) < MAX_HOSTS:
                cache.set(SITES_KEY, sites | {host: found}, SITES_TTL)
        site, site_settings = found
        site_settings._request = request  # as SiteSettings.for_request does, for page URLs
        request._wagtail_site = site
        setattr(request, SiteSettings.get_cache_attr_name(), site_settings)
