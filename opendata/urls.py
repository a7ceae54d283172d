"""The /data/ page (under i18n_patterns: English and /ur/)."""

from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("data/", views.data_page, name="data"),
]
