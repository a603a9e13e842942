"""Temporary supply API routes, mounted at /api/temporary-supply/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
