"""Metering assets's pages, mounted at /metering/ (the API: ``api.urls``, under /api/metering/)."""

app_name = "metering"

urlpatterns: list = []
