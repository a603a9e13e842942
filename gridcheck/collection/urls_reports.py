"""Collection pages: reports."""

urlpatterns: list = []
