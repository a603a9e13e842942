"""Temporary supply API routes, mounted at /api/temporary-supply/."""

from rest_framework.routers import DefaultRouter

from gridcheck.temporary_supply.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
