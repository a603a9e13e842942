"""Business census's pages, mounted at /census/ (the API: ``api.urls``, under /api/census/)."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.census import views
from gridcheck.census.choices import CampaignStatus

app_name = "census"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="census:campaign_list", permanent=False), name="index"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path(
        "campaigns/<int:pk>/start/",
        views.CampaignMoveView.as_view(to=CampaignStatus.RUNNING),
        name="campaign_start",
    ),
    path(
        "campaigns/<int:pk>/close/",
        views.CampaignMoveView.as_view(to=CampaignStatus.CLOSED),
        name="campaign_close",
    ),
    path("visit/<int:pk>/", views.VisitView.as_view(), name="visit"),
    path("work/", views.MyCensusView.as_view(), name="my_census"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record_detail"),
    path("records/<int:pk>/signature/", views.SignatureView.as_view(), name="record_signature"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("discrepancies/", views.DiscrepancyListView.as_view(), name="discrepancy_list"),
    path("discrepancies/<int:pk>/", views.DiscrepancyDetailView.as_view(), name="discrepancy_detail"),
    path(
        "discrepancies/<int:pk>/propose/", views.DiscrepancyProposeView.as_view(), name="discrepancy_propose"
    ),
    path("discrepancies/<int:pk>/decide/", views.DiscrepancyDecideView.as_view(), name="discrepancy_decide"),
]
