"""Assessment API routes, mounted at /api/assessment/: scorecards, adjustments, KPI definitions."""

from rest_framework.routers import DefaultRouter

from gridcheck.assessment.api import views

router = DefaultRouter()
views.register(router)

urlpatterns = router.urls
