"""Archive API routes, mounted at /api/archive/."""

from rest_framework.routers import DefaultRouter

from gridcheck.archive.api import views

router = DefaultRouter()
router.register("stations", views.StationViewSet, basename="station")
router.register("lines", views.LineViewSet, basename="line")
router.register("areas", views.AreaViewSet, basename="area")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("metering-points", views.MeteringPointViewSet, basename="meteringpoint")
router.register("meters", views.MeterViewSet, basename="meter")
router.register("tariffs", views.TariffViewSet, basename="tariff")
router.register("import-batches", views.ImportBatchViewSet, basename="importbatch")

urlpatterns = router.urls
