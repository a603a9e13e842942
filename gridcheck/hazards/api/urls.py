"""Hazards API routes, mounted at /api/hazards/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from gridcheck.hazards.api import views

router = DefaultRouter()
router.register("hazards", views.HazardViewSet, basename="hazard")
router.register("notices", views.NoticeViewSet, basename="notice")

urlpatterns = [path("statistics/", views.StatisticsView.as_view(), name="hazard-statistics"), *router.urls]
