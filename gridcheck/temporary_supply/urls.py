"""Temporary supply's pages, mounted at /temporary-supply/ (the API: ``api.urls``, under /api/temporary-supply/)."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.temporary_supply import views

app_name = "temporary_supply"

urlpatterns = [
    path(
        "", RedirectView.as_view(pattern_name="temporary_supply:supply_list", permanent=False), name="index"
    ),
    path("supplies/", views.SupplyListView.as_view(), name="supply_list"),
    path("supplies/apply/", views.ApplyView.as_view(), name="supply_apply"),
    path("supplies/<int:pk>/", views.SupplyDetailView.as_view(), name="supply_detail"),
    path("supplies/<int:pk>/application/", views.SupplyFileView.as_view(), name="supply_file"),
    path("supplies/<int:pk>/approve/", views.ApproveView.as_view(), name="supply_approve"),
    path("supplies/<int:pk>/reject/", views.RejectView.as_view(), name="supply_reject"),
    path("supplies/<int:pk>/connect/", views.ConnectView.as_view(), name="supply_connect"),
    path("supplies/<int:pk>/extend/", views.ExtensionRequestView.as_view(), name="supply_extend"),
    path("supplies/<int:pk>/close/", views.CloseView.as_view(), name="supply_close"),
    path("extensions/<int:pk>/decide/", views.ExtensionDecideView.as_view(), name="extension_decide"),
    path("unauthorised/", views.UnauthorisedListView.as_view(), name="unauthorised_list"),
    path("unauthorised/record/", views.UnauthorisedRecordView.as_view(), name="unauthorised_record"),
]
