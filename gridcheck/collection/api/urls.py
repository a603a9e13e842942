"""Collection API routes, mounted at /api/collection/: each part registers its viewsets."""

from rest_framework.routers import DefaultRouter

from gridcheck.collection.api import cash, dunning, payments, reports

router = DefaultRouter()
for part in (payments, dunning, cash, reports):
    part.register(router)

urlpatterns = router.urls
