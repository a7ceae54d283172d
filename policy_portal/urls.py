"""The portal's URLs: the admin, the API and (under i18n_patterns) the public pages."""

from django.contrib import admin
from django.urls import path

admin.site.site_header = "National AI Policy tracker: editors"
admin.site.site_title = "AI Policy tracker admin"
admin.site.index_title = "Policy data"

urlpatterns = [
    path("admin/", admin.site.urls),
]
