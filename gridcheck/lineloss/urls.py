from django.urls import path
from django.views.generic import RedirectView

from gridcheck.lineloss import views

app_name = "lineloss"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name=f"{app_name}:dashboard", permanent=False)),
    path("dashboard/", views.LossDashboardView.as_view(), name="dashboard"),
    path("areas/", views.AreaMonthLossListView.as_view(), name="areamonthloss_list"),
    path("areas/<int:pk>/", views.AreaLossView.as_view(), name="area_loss"),
    path("runs/", views.AnalysisRunListView.as_view(), name="run_list"),
    path("runs/start/", views.AnalysisRunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.AnalysisRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress.json", views.AnalysisRunProgressView.as_view(), name="run_progress"),
    path("targets/", views.LossTargetListView.as_view(), name="losstarget_list"),
]
