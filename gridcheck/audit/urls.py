"""Marketing audit's URLs: the pages (``urls_pages``), the monthly report (``urls_reports``), the API
(``api.urls``, mounted under /api/audit/ by the project)."""

from django.urls import include, path

app_name = "audit"

urlpatterns = [
    path("", include("gridcheck.audit.urls_pages")),
    path("reports/", include("gridcheck.audit.urls_reports")),
]
