"""Assessment's pages, mounted at /assessment/ (the API: ``api.urls``, under /api/assessment/)."""

from django.urls import path
from django.views.generic import RedirectView

from gridcheck.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="assessment:scorecard_list", permanent=False), name="index"),
    path("scorecards/", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("scorecards/<int:pk>/", views.ScorecardDetailView.as_view(), name="scorecard_detail"),
    path("scorecards/<int:pk>/sign/", views.ScorecardSignView.as_view(), name="scorecard_sign"),
    path("scorecards/<int:pk>/adjust/", views.AdjustmentProposeView.as_view(), name="adjustment_propose"),
    path("adjustments/<int:pk>/decide/", views.AdjustmentDecideView.as_view(), name="adjustment_decide"),
    path(
        "adjustments/<int:pk>/evidence/", views.AdjustmentEvidenceView.as_view(), name="adjustment_evidence"
    ),
    path("month/", views.MonthView.as_view(), name="month"),
    path("compute/", views.ComputeView.as_view(), name="compute"),
    path("kpis/", views.KpiListView.as_view(), name="kpi_list"),
    path("kpis/new/", views.KpiDefineView.as_view(), name="kpi_define"),
    path("evaluations/", views.EvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/run/", views.EvaluateView.as_view(), name="evaluate"),
]
