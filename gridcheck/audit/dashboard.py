"""The marketing audit tile of the home page: the findings still open and overdue today in the user's
scope, and the last complete month's findings with their closure rate.

The lead registers it in ``registrations.register()``::

    from gridcheck.audit.dashboard import TILE
    dashboard.register("audit.findings", TILE)

``home_tile_context(request)`` is the tile's ``context`` (``gridcheck.core.registries.DashboardTile``).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from gridcheck.core.periods import last_complete_month
from gridcheck.core.registries import TILE_CACHE_S, DashboardTile
from gridcheck.core.roles import VIEW_AUDIT


def home_tile_context(request) -> dict:
    from gridcheck.audit import reports
    from gridcheck.audit.choices import UNFINISHED
    from gridcheck.audit.models import Finding
    from gridcheck.core.scoping import scope_queryset

    today = timezone.localdate()
    month = last_complete_month(today)
    now = (
        scope_queryset(Finding.objects.filter(status__in=list(UNFINISHED)), request.user)
        .order_by()
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=today)))
    )
    total = reports.month_totals(month=month, user=request.user, as_of=today)
    rate = total["closure_rate_percent"]
    return {
        "month": month,
        "open_now": now["open"],
        "overdue_now": now["overdue"],
        "found": total["found"],
        "rate": "—" if rate is None else f"{rate} %",
    }


TILE = DashboardTile(
    template="audit/report_home_tile.html",
    context=home_tile_context,
    allowed=VIEW_AUDIT,
    order=48,
    cache_s=TILE_CACHE_S,
)
