"""Metering assets API routes, mounted at /api/metering/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
