from django.urls import path
from django.views.generic import RedirectView

from gridcheck.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inspections:workorder_list"), name="index"),
    path("orders/", views.WorkOrderListView.as_view(), name="workorder_list"),
    path("overdue/", views.OverdueListView.as_view(), name="workorder_overdue"),
    path("mine/", views.MyWorkView.as_view(), name="my_work"),
    path("new/", views.WorkOrderCreateView.as_view(), name="workorder_create"),
    path("<int:pk>/", views.WorkOrderDetailView.as_view(), name="workorder_detail"),
    path("<int:pk>/visit/", views.VisitView.as_view(), name="visit"),
    path("<int:pk>/assign/", views.WorkOrderAssignView.as_view(), name="workorder_assign"),
    path("<int:pk>/do/<str:action>/", views.WorkOrderActionView.as_view(), name="workorder_action"),
    path("visits/<int:pk>/", views.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/file/<str:what>/", views.VisitFileView.as_view(), name="visit_file"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/generate/", views.PlanGenerateView.as_view(), name="plan_generate"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/<str:action>/", views.PlanActionView.as_view(), name="plan_action"),
    path("dispatch/", views.DispatchListView.as_view(), name="dispatch"),
    path("weekly/", views.WeeklyReportView.as_view(), name="weekly"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("tipoffs/", views.TipOffListView.as_view(), name="tipoff_list"),
    path("tipoffs/new/", views.TipOffCreateView.as_view(), name="tipoff_create"),
    path("tipoffs/<int:pk>/", views.TipOffDetailView.as_view(), name="tipoff_detail"),
    path("tipoffs/<int:pk>/<str:action>/", views.TipOffActionView.as_view(), name="tipoff_action"),
]
