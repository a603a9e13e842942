from django.urls import path
from django.views.generic import RedirectView

from gridcheck.detection import views

app_name = "detection"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name=f"{app_name}:suspect_list", permanent=False)),
    path("suspects/", views.SuspectListView.as_view(), name="suspect_list"),
    path("suspects/<int:pk>/", views.SuspectDetailView.as_view(), name="suspect_detail"),
    path("suspects/<int:pk>/chart.json", views.SuspectChartJsonView.as_view(), name="suspect_chart"),
    path(
        "suspects/<int:pk>/work-order/",
        views.SuspectWorkOrderCreateView.as_view(),
        name="suspect_work_order_create",
    ),
    path("suspects/<int:pk>/dismiss/", views.SuspectDismissView.as_view(), name="suspect_dismiss"),
    path("runs/", views.DetectionRunListView.as_view(), name="run_list"),
    path("models/", views.ModelCandidateListView.as_view(), name="candidate_list"),
    path("models/<int:pk>/decide/", views.ModelCandidateDecideView.as_view(), name="candidate_decide"),
    path("runs/start/", views.DetectionRunStartView.as_view(), name="run_start"),
    path("runs/<int:pk>/", views.DetectionRunDetailView.as_view(), name="run_detail"),
    path("runs/<int:pk>/progress.json", views.DetectionRunProgressView.as_view(), name="run_progress"),
]
