"""Collection pages, mounted at /collection/: one URL module per part of the work."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.collection.urls_cash import urlpatterns as cash_urlpatterns
from gridcheck.collection.urls_dunning import urlpatterns as dunning_urlpatterns
from gridcheck.collection.urls_payments import urlpatterns as payment_urlpatterns
from gridcheck.collection.urls_reports import urlpatterns as report_urlpatterns

app_name = "collection"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="collection:dashboard", permanent=False), name="index"),
    *payment_urlpatterns,
    *dunning_urlpatterns,
    *cash_urlpatterns,
    *report_urlpatterns,
]
