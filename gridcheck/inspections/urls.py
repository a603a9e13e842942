from django.urls import path
from django.views.generic import RedirectView

from gridcheck.inspections.views import campaigns, plans, reports, tipoffs, visits, work_orders

app_name = "inspections"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="inspections:workorder_list"), name="index"),
    path("orders/", work_orders.WorkOrderListView.as_view(), name="workorder_list"),
    path("overdue/", work_orders.OverdueListView.as_view(), name="workorder_overdue"),
    path("mine/", work_orders.MyWorkView.as_view(), name="my_work"),
    path("new/", work_orders.WorkOrderCreateView.as_view(), name="workorder_create"),
    path("<int:pk>/", work_orders.WorkOrderDetailView.as_view(), name="workorder_detail"),
    path("<int:pk>/visit/", visits.VisitView.as_view(), name="visit"),
    path("<int:pk>/assign/", work_orders.WorkOrderAssignView.as_view(), name="workorder_assign"),
    path("<int:pk>/do/<str:action>/", work_orders.WorkOrderActionView.as_view(), name="workorder_action"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/file/<str:what>/", visits.VisitFileView.as_view(), name="visit_file"),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/generate/", plans.PlanGenerateView.as_view(), name="plan_generate"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/<str:action>/", plans.PlanActionView.as_view(), name="plan_action"),
    path("dispatch/", reports.DispatchListView.as_view(), name="dispatch"),
    path("weekly/", reports.WeeklyReportView.as_view(), name="weekly"),
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("tipoffs/", tipoffs.TipOffListView.as_view(), name="tipoff_list"),
    path("tipoffs/new/", tipoffs.TipOffCreateView.as_view(), name="tipoff_create"),
    path("tipoffs/<int:pk>/", tipoffs.TipOffDetailView.as_view(), name="tipoff_detail"),
    path("tipoffs/<int:pk>/<str:action>/", tipoffs.TipOffActionView.as_view(), name="tipoff_action"),
]
