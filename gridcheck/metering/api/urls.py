"""Metering assets API routes, mounted at /api/metering/ (``views``)."""

from rest_framework.routers import DefaultRouter

from gridcheck.metering.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
