"""The monthly audit report (mounted under /audit/reports/, names in the ``audit`` namespace)."""

from django.urls import path

from gridcheck.audit import report_views

urlpatterns = [
    path("monthly/", report_views.AuditReportView.as_view(), name="report"),
    path("monthly/pdf/", report_views.AuditReportPdfView.as_view(), name="report_pdf"),
    path("monthly/xlsx/", report_views.AuditReportXlsxView.as_view(), name="report_xlsx"),
]
