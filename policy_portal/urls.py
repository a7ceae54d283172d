"""The portal's URLs: the admin, the API and its documentation (and, under i18n_patterns, the public pages)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from . import views

admin.site.site_header = "National AI Policy tracker: editors"
admin.site.site_title = "AI Policy tracker admin"
admin.site.index_title = "Policy data"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("policy_portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]

handler404 = views.page_not_found
handler500 = views.server_error
