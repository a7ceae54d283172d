"""The public record of changes (under i18n_patterns: English and /ur/)."""

from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("changes/", views.change_index, name="list"),
]
