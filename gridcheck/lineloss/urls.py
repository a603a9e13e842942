from django.urls import path
from django.views.generic import RedirectView

from gridcheck.lineloss import views
from gridcheck.lineloss import views_management as mv

app_name = "lineloss"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name=f"{app_name}:dashboard", permanent=False)),
    path("dashboard/", views.LossDashboardView.as_view(), name="dashboard"),
    path("areas/", views.AreaMonthLossListView.as_view(), name="areamonthloss_list"),
    path("areas/<int:pk>/", views.AreaLossView.as_view(), name="area_loss"),
    path("lines/", views.LineMonthLossListView.as_view(), name="linemonthloss_list"),
    path("runs/", views.AnalysisRunListView.as_view(), name="run_list"),
    path("runs/start/", views.AnalysisRunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.AnalysisRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress.json", views.AnalysisRunProgressView.as_view(), name="run_progress"),
    path("targets/", views.LossTargetListView.as_view(), name="losstarget_list"),
    path("targets/month/", mv.TargetManageView.as_view(), name="target_manage"),
    path("targets/indicator/", mv.IndicatorSetView.as_view(), name="indicator_set"),
    path("targets/area/<int:pk>/", mv.AreaTargetSetView.as_view(), name="area_target_set"),
    path("analyses/", mv.AnalysisListView.as_view(), name="analysis_list"),
    path("analyses/area/<int:area>/", mv.AnalysisRecordView.as_view(), name="analysis_record"),
    path("analyses/<int:pk>/", mv.AnalysisDetailView.as_view(), name="analysis_detail"),
    path("analyses/<int:pk>/plan/", mv.PlanOpenView.as_view(), name="plan_open"),
    path("plans/", mv.PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/close/", mv.PlanCloseView.as_view(), name="plan_close"),
    path("theory/", mv.TheoryListView.as_view(), name="theory_list"),
    path("theory/area/<int:area>/", mv.TheoryRecordView.as_view(), name="theory_record"),
    path("fourway/", mv.FourWayView.as_view(), name="fourway"),
]
