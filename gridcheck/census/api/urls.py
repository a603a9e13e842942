"""Business census API routes, mounted at /api/census/: campaigns, records, discrepancies (``views``)."""

from rest_framework.routers import DefaultRouter

from gridcheck.census.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
