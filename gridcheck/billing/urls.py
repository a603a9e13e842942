"""Billing pages (``urls_pages``) and reports (``urls_reports``), mounted at /billing/."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.billing.urls_pages import urlpatterns as page_urlpatterns
from gridcheck.billing.urls_reports import urlpatterns as report_urlpatterns

app_name = "billing"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="billing:bill_list", permanent=False), name="index"),
    *page_urlpatterns,
    *report_urlpatterns,
]
