"""Supply contracts API routes, mounted at /api/contracts/: the contract register (``views``)."""

from rest_framework.routers import DefaultRouter

from gridcheck.contracts.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
