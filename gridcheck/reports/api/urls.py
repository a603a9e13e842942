"""Reports API routes, mounted at /api/reports/ (``views``)."""

from rest_framework.routers import DefaultRouter

from gridcheck.reports.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
