"""Collection pages: cash."""

urlpatterns: list = []
