"""The home page: first what waits for the user (``registries.todos``), then the tiles that the apps
registered (``registries.dashboard``)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.views.generic import TemplateView

from gridcheck.core.context_processors import allowed
from gridcheck.core.generic import CapabilityRequiredMixin
from gridcheck.core.registries import dashboard, todos


@dataclass(frozen=True)
class Todo:
    """One line of the to-do list as shown: its label, how many, where they are listed."""

    label: str
    count: int
    url: str
    urgent: bool


def todo_list(user) -> list[Todo]:
    """What waits for ``user``, in the registered order; lines with nothing waiting are left out."""
    lines = []
    for item in sorted(todos.values(), key=lambda item: item.order):
        if not allowed(user, item.allowed):
            continue
        count = item.count(user)
        if count:
            lines.append(Todo(label=str(item.label), count=count, url=item.url(user), urgent=item.urgent))
    return lines


class HomeView(CapabilityRequiredMixin, TemplateView):
    """The to-do list, then each registered tile the user may see, in order, rendered with its own
    context."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["todos"] = todo_list(user)
        tiles = sorted(dashboard.values(), key=lambda tile: tile.order)
        ctx["tiles"] = [
            render_to_string(tile.template, tile.context(self.request), request=self.request)
            for tile in tiles
            if allowed(user, tile.allowed)
        ]
        return ctx
