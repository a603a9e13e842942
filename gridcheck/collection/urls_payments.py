"""Collection pages: payments."""

urlpatterns: list = []
