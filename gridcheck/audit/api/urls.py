"""Marketing audit API routes, mounted at /api/audit/: rules, runs, findings (``views``)."""

from rest_framework.routers import DefaultRouter

from gridcheck.audit.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
