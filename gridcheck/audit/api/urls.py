"""Marketing audit API routes, mounted at /api/audit/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
