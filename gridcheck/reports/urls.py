from django.urls import path

from gridcheck.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportCentreView.as_view(), name="centre"),
    path("generate/", views.ReportGenerateView.as_view(), name="generate"),
    path("<int:pk>/<str:fmt>/", views.ReportDownloadView.as_view(), name="download"),
]
