from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class HomeView(LoginRequiredMixin, TemplateView):
    """The home dashboard (placeholder until the UI is built)."""

    template_name = "base.html"
