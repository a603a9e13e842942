"""Supply contracts API routes, mounted at /api/contracts/."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
