"""Seal and pliers pages, mounted under /inspections/ beside the inspection pages (their old place)."""

from django.urls import path

from gridcheck.seals import views

app_name = "seals"

urlpatterns = [
    path("seals/", views.SealListView.as_view(), name="seal_list"),
    path("seals/batches/new/", views.SealBatchCreateView.as_view(), name="sealbatch_create"),
    path("seals/range/<str:action>/", views.SealIssueView.as_view(), name="seal_issue"),
    path("seals/<int:pk>/", views.SealDetailView.as_view(), name="seal_detail"),
    path("seals/<int:pk>/<str:action>/", views.SealActionView.as_view(), name="seal_action"),
    path("pliers/", views.PliersListView.as_view(), name="pliers_list"),
    path("pliers/<str:action>/", views.PliersActionView.as_view(), name="pliers_create"),
    path("pliers/<int:pk>/<str:action>/", views.PliersActionView.as_view(), name="pliers_action"),
]
