"""Collection pages: dunning."""

urlpatterns: list = []
