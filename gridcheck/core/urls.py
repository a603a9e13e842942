from django.urls import path

from gridcheck.core import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    # what a browser asks for beside a document with no icon of its own (a PDF, an attachment)
    path("favicon.ico", views.favicon, name="favicon"),
]
