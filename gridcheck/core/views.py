"""The home page: the tiles that the apps registered (``gridcheck.core.registries.dashboard``)."""

from django.template.loader import render_to_string
from django.views.generic import TemplateView

from gridcheck.core.context_processors import allowed
from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.registries import dashboard


class HomeView(CapabilityRequiredMixin, TemplateView):
    """Each registered tile the user may see, in order, rendered with its own context."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        tiles = sorted(dashboard.values(), key=lambda tile: tile.order)
        ctx["tiles"] = [
            render_to_string(tile.template, tile.context(self.request), request=self.request)
            for tile in tiles
            if allowed(user, tile.allowed)
        ]
        return ctx
