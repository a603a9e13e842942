"""The REST API: one router per app, mounted under /api/."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("archive/", include("gridcheck.archive.api.urls")),
    path("staff/", include("gridcheck.users.api.urls")),
    path("hazards/", include("gridcheck.hazards.api.urls")),
    path("notifications/", include("gridcheck.notifications.api.urls")),
    path("readings/", include("gridcheck.readings.api.urls")),
    path("lineloss/", include("gridcheck.lineloss.api.urls")),
    path("detection/", include("gridcheck.detection.api.urls")),
    path("cases/", include("gridcheck.cases.api.urls")),
    path("inspections/", include("gridcheck.inspections.api.urls")),
    path("inspections/", include("gridcheck.seals.api.urls")),
    path("billing/", include("gridcheck.billing.api.urls")),
    path("collection/", include("gridcheck.collection.api.urls")),
    path("audit/", include("gridcheck.audit.api.urls")),
    path("contracts/", include("gridcheck.contracts.api.urls")),
    path("temporary-supply/", include("gridcheck.temporary_supply.api.urls")),
    path("metering/", include("gridcheck.metering.api.urls")),
    path("census/", include("gridcheck.census.api.urls")),
    path("assessment/", include("gridcheck.assessment.api.urls")),
    path("reports/", include("gridcheck.reports.api.urls")),
    path("servicedesk/", include("gridcheck.servicedesk.api.urls")),
]
