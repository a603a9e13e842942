"""Marketing audit's pages (namespace ``audit``, set by ``urls.py``)."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.audit import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="audit:finding_list", permanent=False), name="index"),
    path("rules/", views.RuleListView.as_view(), name="rule_list"),
    path("rules/<str:code>/", views.RuleDetailView.as_view(), name="rule_detail"),
    path("rules/<str:code>/change/", views.RuleChangeView.as_view(), name="rule_change"),
    path("runs/", views.RunListView.as_view(), name="run_list"),
    path("runs/start/", views.RunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.AuditRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress.json", views.AuditRunProgressView.as_view(), name="run_progress"),
    path("findings/", views.FindingListView.as_view(), name="finding_list"),
    path("findings/<int:pk>/", views.FindingDetailView.as_view(), name="finding_detail"),
    path("findings/<int:pk>/assign/", views.FindingAssignView.as_view(), name="finding_assign"),
    path("findings/<int:pk>/rectify/", views.FindingRectifyView.as_view(), name="finding_rectify"),
    path("findings/<int:pk>/verify/", views.FindingVerifyView.as_view(), name="finding_verify"),
    path("findings/<int:pk>/close/", views.FindingCloseView.as_view(), name="finding_close"),
    path(
        "findings/<int:pk>/not-a-problem/",
        views.FindingDismissRequestView.as_view(),
        name="finding_dismiss_request",
    ),
    path(
        "findings/<int:pk>/not-a-problem/decide/",
        views.FindingDismissDecideView.as_view(),
        name="finding_dismiss_decide",
    ),
]
