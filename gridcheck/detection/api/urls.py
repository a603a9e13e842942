"""Detection API routes, mounted at /api/detection/."""

from rest_framework.routers import DefaultRouter

from gridcheck.detection.api import views

router = DefaultRouter()
router.register("suspects", views.SuspectViewSet, basename="suspect")
router.register("runs", views.DetectionRunViewSet, basename="detectionrun")

urlpatterns = router.urls
