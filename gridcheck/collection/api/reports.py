"""Collection API: figures — the recovery rate of a billing month and the arrears' ageing, as JSON.

``GET figures/recovery/?month=YYYY-MM[&cutoff=YYYY-MM-DD][&station=ID]`` and ``GET figures/arrears/
[?as_of=YYYY-MM-DD][&station=ID]``. Reading needs ``view_collection`` (the rule of the pages) and counts
only the user's scope; a station outside it is a 404. Money is a string with two decimals, a rate a
string with two decimals (per cent) or null when nothing was billed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Station
from gridcheck.collection.selectors import reports
from gridcheck.collection.services.common import local_day
from gridcheck.core.periods import PeriodError, date_parse, last_complete_month, month_parse
from gridcheck.core.scoping import scoped


def _money(value) -> str | None:
    return None if value is None else f"{value:.2f}"


def _figures(row: dict, names: dict) -> dict:
    """``row``'s figures under their API names: money and rates as strings, counts as numbers."""
    out = {}
    for api_name, key in names.items():
        value = row.get(key)
        out[api_name] = _money(value) if key.endswith(("_yuan", "_percent")) else value
    return out


RECOVERY = {
    "bills": "receivables",
    "billed_yuan": "due_yuan",
    "collected_yuan": "paid_yuan",
    "uncollected_yuan": "unpaid_yuan",
    "recovery_rate_percent": "rate_percent",
}


def _station(request):
    value = request.query_params.get("station")
    if not value:
        return None
    if not str(value).isdigit() or len(str(value)) > 11:
        raise ValidationError({"station": [_("Not a station id.")]})
    station = scoped(Station, request.user).filter(pk=int(value)).first()
    if station is None:
        raise NotFound(_("No such station in your scope."))
    return station


def _day(request, name: str, default):
    value = request.query_params.get(name)
    if not value:
        return default
    try:
        return date_parse(value)
    except PeriodError as error:
        raise ValidationError({name: error.messages}) from None


class RecoveryFiguresViewSet(viewsets.ViewSet):
    """``GET ?month=YYYY-MM``: the recovery rate of the month's bills per area, area manager, station."""

    @extend_schema(
        summary=_("Recovery rate of a billing month"),
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM (default: the newest billing month)"),
            OpenApiParameter("cutoff", str, required=False, description="YYYY-MM-DD"),
            OpenApiParameter("station", int, required=False),
        ],
        responses={200: dict},
    )
    def list(self, request):
        value = request.query_params.get("month", "")
        try:
            month = month_parse(value) if value else None
        except PeriodError as error:
            raise ValidationError({"month": error.messages}) from None
        if month is None:  # the newest billing month in the user's scope
            months = reports.billing_months(user=request.user, limit=1)
            month = months[0] if months else last_complete_month()
        station = _station(request)
        cutoff = _day(request, "cutoff", reports.recovery_cutoff(month))
        result = reports.recovery(user=request.user, month=month, cutoff=cutoff, station=station)
        return Response(
            {
                "month": f"{month:%Y-%m}",
                "cutoff": cutoff,
                "station": station.pk if station else None,
                "total": _figures(result.total, RECOVERY),
                "by_station": [
                    {"station": r["station_id"], "code": r["station__code"], "name": r["station__name"],
                     **_figures(r, RECOVERY)}
                    for r in result.by_station
                ],
                "by_area": [
                    {"area": r["area_id"], "code": r["area__code"], "name": r["area__name"],
                     "station": r["station_id"], "owner": r["area__owner_id"], "owner_name": r["owner"],
                     **_figures(r, RECOVERY)}
                    for r in result.by_area
                ],
                "by_owner": [
                    {"owner": r["area__owner_id"], "owner_name": r["owner"], "station": r["station_id"],
                     "areas": r["areas"], **_figures(r, RECOVERY)}
                    for r in result.by_owner
                ],
            }
        )  # fmt: skip


class ArrearsFiguresViewSet(viewsets.ViewSet):
    """``GET [?as_of=YYYY-MM-DD]``: the arrears on a day by ageing bucket, per area and area manager."""

    @extend_schema(
        summary=_("Arrears and their ageing"),
        parameters=[
            OpenApiParameter("as_of", str, required=False, description="YYYY-MM-DD"),
            OpenApiParameter("station", int, required=False),
        ],
        responses={200: dict},
    )
    def list(self, request):
        station = _station(request)
        as_of = _day(request, "as_of", local_day())
        summary = reports.arrears_summary(user=request.user, as_of=as_of, station=station)
        keys = [b.key for b in reports.AGEING_BUCKETS]

        def ageing(row):
            return {
                "arrears_yuan": _money(row["arrears_yuan"]),
                "customers": row["customers"],
                "bills": row["receivables"],
                "buckets": dict(zip(keys, (_money(a) for a in row["buckets"]), strict=True)),
            }

        return Response(
            {
                "as_of": as_of,
                "station": station.pk if station else None,
                "buckets": [
                    {"key": b.key, "label": str(b.label), "days_from": b.low, "days_to": b.high}
                    for b in reports.AGEING_BUCKETS
                ],
                "total": ageing(summary["total"]),
                "by_bucket": [
                    {"key": r["key"], "arrears_yuan": _money(r["arrears_yuan"]), "customers": r["customers"],
                     "bills": r["receivables"], "share_percent": _money(r["share_percent"])}
                    for r in summary["by_bucket"]
                ],
                "by_area": [
                    {"area": r["area_id"], "code": r["area__code"], "name": r["area__name"],
                     "owner": r["area__owner_id"], "owner_name": r["owner"], **ageing(r)}
                    for r in summary["by_area"]
                ],
                "by_owner": [
                    {"owner": r["area__owner_id"], "owner_name": r["owner"], "station": r["station_id"],
                     "areas": r["areas"], **ageing(r)}
                    for r in summary["by_owner"]
                ],
            }
        )  # fmt: skip


def register(router) -> None:
    """Add this part's viewsets to the collection router."""
    router.register("figures/recovery", RecoveryFiguresViewSet, basename="figures-recovery")
    router.register("figures/arrears", ArrearsFiguresViewSet, basename="figures-arrears")
