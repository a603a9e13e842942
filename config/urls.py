from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from gridcheck.core.api import SchemaView

urlpatterns = [
    path("", include("gridcheck.core.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("archive/", include("gridcheck.archive.urls")),
    path("staff/", include("gridcheck.users.urls")),
    path("hazards/", include("gridcheck.hazards.urls")),
    path("notifications/", include("gridcheck.notifications.urls")),
    path("readings/", include("gridcheck.readings.urls")),
    path("lineloss/", include("gridcheck.lineloss.urls")),
    path("detection/", include("gridcheck.detection.urls")),
    path("cases/", include("gridcheck.cases.urls")),
    path("billing/", include("gridcheck.billing.urls")),
    path("collection/", include("gridcheck.collection.urls")),
    path("audit/", include("gridcheck.audit.urls")),
    path("contracts/", include("gridcheck.contracts.urls")),
    path("temporary-supply/", include("gridcheck.temporary_supply.urls")),
    path("metering/", include("gridcheck.metering.urls")),
    path("census/", include("gridcheck.census.urls")),
    path("assessment/", include("gridcheck.assessment.urls")),
    path("reports/", include("gridcheck.reports.urls")),
    path("servicedesk/", include("gridcheck.servicedesk.urls")),
    path("inspections/", include("gridcheck.seals.urls")),
    path("inspections/", include("gridcheck.inspections.urls")),
    path("api/", include("config.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]
