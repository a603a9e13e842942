"""Collection pages: the figures (dashboard, recovery and remittance, arrears, late-fee income)."""

from django.urls import path

from gridcheck.collection.views import reports as views

urlpatterns = [
    path("figures/", views.CollectionDashboardView.as_view(), name="dashboard"),
    path("figures/recovery/", views.RecoveryReportView.as_view(), name="recovery"),
    path("figures/arrears/", views.ArrearsListView.as_view(), name="arrears"),
    path("figures/late-fees/", views.LateFeeIncomeView.as_view(), name="late_fee_income"),
]
