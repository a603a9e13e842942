"""The collection tile of the home page: this month's recovery rate and today's arrears in the user's scope.

The lead registers it in ``registrations.register()``::

    from gridcheck.collection.dashboard import TILE
    dashboard.register("collection.figures", TILE)

``home_tile_context(request)`` is the tile's ``context`` (``gridcheck.core.registries.DashboardTile``).
"""

from __future__ import annotations

from decimal import Decimal

from gridcheck.core.periods import last_complete_month
from gridcheck.core.registries import TILE_CACHE_S, DashboardTile
from gridcheck.core.roles import VIEW_COLLECTION

#: Days overdue from which arrears are shown apart on the tile (the start of the 91–180 days bucket).
LONG_OVERDUE_BUCKETS = ("91_180", "181_365", "over_365")


def home_tile_context(request) -> dict:
    """This month's figures: the bills issued this month (last month's billing) collected so far, and the
    arrears today. A scope without bills of that month shows its latest billing month."""
    from gridcheck.collection.selectors import reports
    from gridcheck.collection.services.common import local_day
    from gridcheck.collection.tables_reports import pct, yuan

    user, today = request.user, local_day()
    month = last_complete_month(today)
    latest = reports.billing_months(user=user, limit=1)
    if latest and not reports.recovery_receivables(user=user, month=month).exists():
        month = latest[0]
    cutoff = max(min(reports.recovery_cutoff(month), today), month)
    recovery = reports.recovery_total(user=user, month=month, cutoff=cutoff, today=today)
    total, _counts = reports.arrears_total(user=user, as_of=today)
    over_90 = sum(
        (amount for bucket, amount in zip(reports.AGEING_BUCKETS, total["buckets"], strict=True)
         if bucket.key in LONG_OVERDUE_BUCKETS),
        Decimal("0.00"),
    )  # fmt: skip
    return {
        # no bill at all in the scope (an area manager's areas not billed here yet): said, not zeros
        "no_bills": not latest,
        "month": month,
        "cutoff": cutoff,
        "rate": pct(recovery["rate_percent"]),
        "bad_rate": recovery["rate_percent"] is not None and recovery["rate_percent"] < 100,
        "due": yuan(recovery["due_yuan"]),
        "paid": yuan(recovery["paid_yuan"]),
        "arrears": yuan(total["arrears_yuan"]),
        "arrears_customers": total["customers"],
        "over_90": yuan(over_90),
    }


TILE = DashboardTile(
    template="collection/reports/home_tile.html",
    context=home_tile_context,
    allowed=VIEW_COLLECTION,
    order=47,
    cache_s=TILE_CACHE_S,
)
