"""Billing reports (``report_views``), mounted at /billing/reports/ under the ``billing`` namespace."""

from django.urls import path

from gridcheck.billing import report_views as views

urlpatterns = [
    path("reports/areas/", views.AreaReportView.as_view(), name="area_report"),
    path("reports/areas/xlsx/", views.AreaReportXlsxView.as_view(), name="area_report_xlsx"),
    path("reports/business/", views.BusinessReportView.as_view(), name="business_report"),
    path("reports/business/xlsx/", views.BusinessReportXlsxView.as_view(), name="business_report_xlsx"),
    path("reports/business/pdf/", views.BusinessReportPdfView.as_view(), name="business_report_pdf"),
    path("reports/business/sign/", views.BusinessReportSignView.as_view(), name="business_report_sign"),
    path("reports/posting/", views.PostingSheetIndexView.as_view(), name="posting_index"),
    path("reports/posting/<int:pk>/", views.PostingSheetView.as_view(), name="posting_sheet"),
    path("reports/posting/<int:pk>/pdf/", views.PostingSheetPdfView.as_view(), name="posting_sheet_pdf"),
]
