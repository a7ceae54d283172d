"""Public pages of the incentives directory."""

from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("incentives/", views.incentive_list, name="list"),
    path("incentives/can-i-apply/", views.can_i_apply, name="can_i_apply"),
    path("incentives/<slug:slug>/", views.incentive_detail, name="detail"),
]
