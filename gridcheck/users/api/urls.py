"""Staff API routes, mounted at /api/staff/."""

from rest_framework.routers import DefaultRouter

from gridcheck.users.api import views

router = DefaultRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("qualifications", views.QualificationViewSet, basename="qualification")

urlpatterns = router.urls
