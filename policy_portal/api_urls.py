"""The JSON API under /api/v1/ (paths fixed by shared/docs/api.md)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from changes.api import ChangeViewSet
from hubs.api.views import HubViewSet
from incentives.api.views import IncentiveViewSet
from pillars.api.views import MeasurementViewSet, MilestoneViewSet, PillarViewSet, SummaryView, TargetViewSet

router = DefaultRouter()
router.register("pillars", PillarViewSet, basename="pillar")
router.register("targets", TargetViewSet, basename="target")
router.register("measurements", MeasurementViewSet, basename="measurement")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("incentives", IncentiveViewSet, basename="incentive")
router.register("hubs", HubViewSet, basename="hub")
router.register("changes", ChangeViewSet, basename="change")

app_name = "api"
urlpatterns = [
    path("dashboard/summary/", SummaryView.as_view(), name="dashboard-summary"),
    *router.urls,
]
