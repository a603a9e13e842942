from django.urls import path
from django.views.generic import RedirectView

from gridcheck.archive import views, views_import

app_name = "archive"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="archive:customer_list", permanent=False), name="index"),
    path("stations/", views.StationListView.as_view(), name="station_list"),
    path("stations/<int:pk>/", views.StationDetailView.as_view(), name="station_detail"),
    path("lines/", views.LineListView.as_view(), name="line_list"),
    path("lines/<int:pk>/", views.LineDetailView.as_view(), name="line_detail"),
    path("areas/", views.AreaListView.as_view(), name="area_list"),
    path("areas/<int:pk>/", views.AreaDetailView.as_view(), name="area_detail"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("metering-points/", views.MeteringPointListView.as_view(), name="meteringpoint_list"),
    path("metering-points/<int:pk>/", views.MeteringPointDetailView.as_view(), name="meteringpoint_detail"),
    path("meters/", views.MeterListView.as_view(), name="meter_list"),
    path("meters/<int:pk>/", views.MeterDetailView.as_view(), name="meter_detail"),
    path("tariffs/", views.TariffListView.as_view(), name="tariff_list"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("import/", views_import.ImportView.as_view(), name="import"),
    path("import/template/<str:entity>/", views_import.ImportTemplateView.as_view(), name="import_template"),
    path("imports/", views_import.ImportBatchListView.as_view(), name="importbatch_list"),
    path("imports/<int:pk>/", views_import.ImportBatchDetailView.as_view(), name="importbatch_detail"),
]
