"""The portal's URLs: the admin, the API and its documentation (and, under i18n_patterns, the public pages)."""

from csp.decorators import csp_update
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from changes.feeds import ChangesFeed
from core import health, lockout, seo, views
from opendata import views as opendata_views
from pillars.admin.views import recent_changes_view

from . import sitemaps

# ReDoc's additions to the Content-Security-Policy, on its page only (docs/reliability.md, "Security headers"): its
# search runs in a worker it makes from a blob: URL, and its bundle writes two <style> elements as it loads, before
# it can be handed the nonce (perfect-scrollbar's rules and an empty one), allowed by their hashes. A new sidecar
# release changes them: the browser tests then fail with the hash Chromium expected.
REDOC_CSP = {
    "worker-src": ["'self'", "blob:"],
    "style-src": [
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    ],
}

admin.site.site_header = "National AI Policy tracker: editors"
admin.site.site_title = "AI Policy tracker admin"
admin.site.index_title = "Policy data"

urlpatterns = [
    # Before the admin's own URLs, so that its catch-all does not take them.
    path("admin/recent-changes/", admin.site.admin_view(recent_changes_view), name="admin-recent-changes"),
    # The admin's own password form, with wrong old passwords counted by django-axes (same address).
    path("admin/password_change/", admin.site.admin_view(lockout.password_change), name="admin-password-change"),
    path("admin/", admin.site.urls),
    # The public "what changed" feed: one address whatever the reader's language.
    path("feeds/changes.atom", ChangesFeed(), name="feed-changes"),
    path("api/v1/", include("policy_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the script that starts Swagger UI as a file (?script): no inline script, for the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", csp_update(REDOC_CSP)(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
    # The language switch's POST target (Django's set_language); the pages also link /ur/ directly.
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico on pages that name none (the API's docs).
    path("favicon.ico", views.favicon, name="favicon"),
    # The database, the cache and the broker, for the compose health checks (core/health.py).
    path("healthz", health.healthz, name="healthz"),
    # For search engines: what may be crawled, and every page in both languages (core/seo.py, sitemaps.py).
    path("robots.txt", seo.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path(
        "sitemap-<slug:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    # The bulk data package, built by the worker (opendata/): the same file in both languages.
    path("data/datapackage.zip", opendata_views.datapackage_zip, name="datapackage"),
]

# The public pages: English unprefixed, Urdu under /ur/.
urlpatterns += i18n_patterns(
    path("", include("pillars.urls")),
    path("", include("hubs.urls")),
    path("", include("incentives.urls")),
    path("", include("changes.urls")),
    path("", include("opendata.urls")),
    prefix_default_language=False,
)

handler400 = "core.pages.bad_request"
handler404 = views.page_not_found
handler500 = views.server_error
