"""Seals API routes, mounted at /api/inspections/ (where they were before seals had their own app).

A ``SimpleRouter``: the inspections router already answers the API root of that prefix.
"""

from rest_framework.routers import SimpleRouter

from gridcheck.seals.api import views

router = SimpleRouter()
router.register("seals", views.SealViewSet, basename="seal")

urlpatterns = router.urls
