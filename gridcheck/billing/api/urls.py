"""Billing API routes, mounted at /api/billing/."""

from rest_framework.routers import DefaultRouter

from gridcheck.billing.api import views

router = DefaultRouter()
router.register("bills", views.BillViewSet, basename="bill")
router.register("books", views.ReadingBookViewSet, basename="readingbook")
router.register("cycles", views.ReadingCycleViewSet, basename="readingcycle")
router.register("readings", views.MeterReadingViewSet, basename="meterreading")
router.register("adjustments", views.BillAdjustmentViewSet, basename="billadjustment")
router.register("category-changes", views.CategoryChangeViewSet, basename="categorychange")

urlpatterns = router.urls
