"""Notifications API routes, mounted at /api/notifications/."""

from rest_framework.routers import DefaultRouter

from gridcheck.notifications.api import views

router = DefaultRouter()
router.register("messages", views.MessageViewSet, basename="message")

urlpatterns = router.urls
