"""Supply contracts's pages, mounted at /contracts/ (the API: ``api.urls``, under /api/contracts/)."""

app_name = "contracts"

urlpatterns: list = []
