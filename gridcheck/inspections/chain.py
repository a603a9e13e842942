"""The work order and its visits on the chain card (``gridcheck.core.chain``)."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.chain import ChainStage, chain
from gridcheck.core.roles import VIEW_INSPECTIONS


def register() -> None:
    chain.stage(
        "inspections.workorder",
        ChainStage(
            20,
            _("Work order"),
            lambda o: (o.number, o.get_status_display(), o.created_at),
            VIEW_INSPECTIONS,
        ),
    )
    chain.stage(
        "inspections.visit",
        ChainStage(
            30,
            _("Visit"),
            lambda v: (str(v), _("Visited"), v.visited_at),
            VIEW_INSPECTIONS,
        ),
    )
    chain.link(
        "inspections.workorder", lambda o: o.visits.select_related("work_order").order_by("visited_at")
    )
    chain.link("inspections.visit", lambda v: [v.work_order])
