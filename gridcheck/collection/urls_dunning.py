"""Collection pages: dunning notices (催费) and disconnections for arrears (欠费停电)."""

from django.urls import path

from gridcheck.collection.views import dunning as views

urlpatterns = [
    # dunning notices
    path("dunning/", views.DunningListView.as_view(), name="dunning_list"),
    path("dunning/due/", views.DunningDueView.as_view(), name="dunning_due"),
    path("dunning/customers/<int:pk>/issue/", views.DunningIssueView.as_view(), name="dunning_issue"),
    path("dunning/<int:pk>/", views.DunningDetailView.as_view(), name="dunning_detail"),
    path("dunning/<int:pk>/pdf/", views.DunningPdfView.as_view(), name="dunning_pdf"),
    path("dunning/<int:pk>/deliver/", views.DunningDeliverView.as_view(), name="dunning_deliver"),
    # disconnections for arrears
    path("disconnections/", views.DisconnectionListView.as_view(), name="disconnection_list"),
    path(
        "disconnections/customers/<int:pk>/propose/",
        views.DisconnectionProposeView.as_view(),
        name="disconnection_propose",
    ),
    path("disconnections/<int:pk>/", views.DisconnectionDetailView.as_view(), name="disconnection_detail"),
    path("disconnections/<int:pk>/pdf/", views.DisconnectionPdfView.as_view(), name="disconnection_pdf"),
    path(
        "disconnections/<int:pk>/decide/",
        views.DisconnectionDecideView.as_view(),
        name="disconnection_decide",
    ),
    path(
        "disconnections/<int:pk>/order/", views.DisconnectionOrderView.as_view(), name="disconnection_order"
    ),
    path(
        "disconnections/<int:pk>/execute/",
        views.DisconnectionExecuteView.as_view(),
        name="disconnection_execute",
    ),
    path(
        "disconnections/<int:pk>/reconnected/",
        views.DisconnectionReconnectedView.as_view(),
        name="disconnection_reconnected",
    ),
]
