"""The safety-hazards tile of the home page: the open, overdue and major hazards in the user's view and
what the 1+1+1 calendar asks for now (this month's notices, last quarter's briefing), each with its
state. It is what a government liaison, who reads and never registers, sees first.

``registrations.register()`` registers it::

    dashboard.register("hazards.figures", TILE)
"""

from __future__ import annotations

from django.utils import timezone

from gridcheck.core.registries import TILE_CACHE_S, DashboardTile
from gridcheck.core.roles import VIEW_HAZARDS


def home_tile_context(request) -> dict:
    from gridcheck.hazards import selectors

    today = timezone.localdate()
    return {
        "hazards": selectors.hazard_counts(user=request.user, today=today),
        # the notices and the briefing (the paper receipts are the hazards page's)
        "due": [i for i in selectors.calendar_due(user=request.user, today=today) if i["key"] != "paper"],
    }


TILE = DashboardTile(
    template="hazards/home_tile.html",
    context=home_tile_context,
    allowed=VIEW_HAZARDS,
    order=70,
    cache_s=TILE_CACHE_S,
)
