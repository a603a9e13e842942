from django.urls import path
from django.views.generic import View

app_name = "users"

urlpatterns = [
    path("", View.as_view(), name="user_list"),
    path("qualifications/", View.as_view(), name="qualification_list"),
]
