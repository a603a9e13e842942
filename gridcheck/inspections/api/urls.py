"""Inspections API routes, mounted at /api/inspections/."""

from rest_framework.routers import DefaultRouter

from gridcheck.inspections.api import views

router = DefaultRouter()
router.register("work-orders", views.WorkOrderViewSet, basename="workorder")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("plans", views.InspectionPlanViewSet, basename="inspectionplan")
router.register("tipoffs", views.TipOffViewSet, basename="tipoff")

urlpatterns = router.urls
