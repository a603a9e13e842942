"""Metering asset ledger pages, mounted at /metering/ (the API: ``api.urls``, under /api/metering/)."""

from django.urls import path

from gridcheck.metering import views

app_name = "metering"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("due/", views.DueListView.as_view(), name="due_list"),
    path("obsolete/", views.ObsoleteListView.as_view(), name="obsolete_list"),
    path("assets/new/", views.AssetReceiveView.as_view(), name="asset_receive"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("assets/<int:pk>/<str:action>/", views.AssetActionView.as_view(), name="asset_action"),
    path("types/", views.DeviceTypeListView.as_view(), name="type_list"),
    path("types/new/", views.DeviceTypeActionView.as_view(), name="type_create"),
    path("types/<int:pk>/obsolete/", views.DeviceTypeActionView.as_view(), name="type_obsolete"),
    path("faults/", views.FaultListView.as_view(), name="fault_list"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/close/", views.NoticeCloseView.as_view(), name="notice_close"),
    path("changes/", views.MeterChangeListView.as_view(), name="change_list"),
    path("changes/new/", views.MeterChangeCreateView.as_view(), name="change_create"),
    path("changes/<int:pk>/", views.MeterChangeDetailView.as_view(), name="change_detail"),
    path("acceptances/", views.AcceptanceListView.as_view(), name="acceptance_list"),
    path("acceptances/new/", views.AcceptanceCreateView.as_view(), name="acceptance_create"),
]
