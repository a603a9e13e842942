from django.urls import path

from gridcheck.hazards import views

app_name = "hazards"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("run/<str:what>/", views.CalendarRunView.as_view(), name="calendar_run"),
    path("list/", views.HazardListView.as_view(), name="hazard_list"),
    path("new/", views.HazardCreateView.as_view(), name="hazard_create"),
    path("new/customers/", views.CustomerLookupView.as_view(), name="customer_lookup"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard_detail"),
    path("<int:pk>/transition/", views.HazardTransitionView.as_view(), name="hazard_transition"),
    path("<int:pk>/correct/", views.HazardCorrectView.as_view(), name="hazard_correct"),
    path("<int:pk>/cancel/", views.HazardCancelView.as_view(), name="hazard_cancel"),
    path("notices/", views.NoticeListView.as_view(), name="notice_list"),
    path("notices/<int:pk>/", views.NoticeDetailView.as_view(), name="notice_detail"),
    path("notices/<int:pk>/pdf/", views.NoticePdfView.as_view(), name="notice_pdf"),
    path("notices/<int:pk>/receipt/", views.NoticeReceiptView.as_view(), name="notice_receipt"),
    path("photos/<int:pk>/", views.HazardPhotoView.as_view(), name="photo"),
    path("customers/<int:pk>/", views.CustomerSafetyView.as_view(), name="customer_safety"),
    path("drills/<int:pk>/record/", views.DrillRecordView.as_view(), name="drill_record"),
    path("contacts/", views.GovernmentContactsView.as_view(), name="government_contacts"),
    path("customers/", views.RiskCustomerListView.as_view(), name="risk_customers"),
    path("portal/", views.PortalHomeView.as_view(), name="portal"),
    path("portal/<int:pk>/", views.PortalHazardView.as_view(), name="portal_hazard"),
]
