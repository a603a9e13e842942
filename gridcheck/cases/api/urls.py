"""Cases API routes, mounted at /api/cases/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from gridcheck.cases.api import views

router = DefaultRouter()
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = [path("labels/", views.CaseLabelsView.as_view(), name="case-labels"), *router.urls]
