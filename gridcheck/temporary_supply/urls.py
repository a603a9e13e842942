"""Temporary supply's pages, mounted at /temporary-supply/ (the API: ``api.urls``, under /api/temporary-supply/)."""

app_name = "temporary_supply"

urlpatterns: list = []
