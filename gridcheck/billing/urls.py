"""Billing pages (``urls_pages``) and reports (``urls_reports``), mounted at /billing/."""

from gridcheck.billing.urls_pages import urlpatterns as page_urlpatterns
from gridcheck.billing.urls_reports import urlpatterns as report_urlpatterns

app_name = "billing"

urlpatterns = [*page_urlpatterns, *report_urlpatterns]
