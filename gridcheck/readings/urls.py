from django.urls import path
from django.views.generic import RedirectView

from gridcheck.readings import views

app_name = "readings"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name=f"{app_name}:dashboard", permanent=False)),
    path("rates/", views.ReadingRateDashboardView.as_view(), name="dashboard"),
    path("import/", views.MeterDataImportView.as_view(), name="import"),
    path("import/<str:token>/columns/", views.MeterDataMappingView.as_view(), name="import_mapping"),
    path("imports/", views.MeterDataImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", views.MeterDataImportDetailView.as_view(), name="import_detail"),
    path(
        "customers/<int:pk>/consumption.json",
        views.CustomerConsumptionJsonView.as_view(),
        name="customer_consumption_json",
    ),
]
