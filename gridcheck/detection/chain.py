"""The suspect on the chain card (``gridcheck.core.chain``): it leads to its work order."""

from django.utils.translation import gettext_lazy as _

from gridcheck.core.chain import ChainStage, chain
from gridcheck.core.roles import VIEW_DETECTION


def register() -> None:
    from gridcheck.detection.models import Suspect

    chain.stage(
        "detection.suspect",
        ChainStage(
            10,
            _("Theft suspect"),
            lambda s: (f"{s.customer.name} {s.month:%Y-%m}", s.get_status_display(), s.created_at),
            VIEW_DETECTION,
        ),
    )
    chain.link("detection.suspect", lambda s: [s.work_order] if s.work_order_id else [])
    chain.link(
        "inspections.workorder", lambda o: Suspect.objects.filter(work_order=o).select_related("customer")
    )
