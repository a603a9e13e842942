from django.urls import path

from gridcheck.users import views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("qualifications/", views.qualification_list, name="qualification_list"),
]
