"""Business census's pages, mounted at /census/ (the API: ``api.urls``, under /api/census/)."""

app_name = "census"

urlpatterns: list = []
