"""Public pages of the policy, its pillars, targets and milestones (under i18n_patterns: English and /ur/)."""

from django.urls import path

from . import views

app_name = "pillars"

urlpatterns = [
    path("", views.home, name="home"),
    path("pillars/", views.pillar_index, name="pillars"),
    path("pillars/<slug:slug>/", views.pillar_detail, name="pillar"),
    path("targets/", views.target_index, name="targets"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("milestones/", views.milestone_index, name="milestones"),
    path("milestones/<int:pk>/", views.milestone_detail, name="milestone"),
    path("methodology/", views.methodology, name="methodology"),
    path("search/", views.search, name="search"),
]
