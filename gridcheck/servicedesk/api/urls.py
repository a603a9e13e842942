"""Service desk API routes, mounted at /api/servicedesk/."""

from rest_framework.routers import DefaultRouter

from gridcheck.servicedesk.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
