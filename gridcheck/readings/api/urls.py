"""Meter-data API routes, mounted at /api/readings/."""

from rest_framework.routers import DefaultRouter

from gridcheck.readings.api import views

router = DefaultRouter()
router.register("imports", views.MeterDataImportViewSet, basename="meterdataimport")
router.register("reading-rates", views.ReadingRateViewSet, basename="readingrate")

urlpatterns = router.urls
