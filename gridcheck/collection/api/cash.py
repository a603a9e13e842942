"""Collection API: cash — receipt stock and bank deposits (read-only), reconciliation as JSON.

Reading needs ``view_collection`` (the rule of the pages) and shows only the user's scope; nothing here
writes: stock, cancellations and deposits change through the pages' services.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from gridcheck.archive.models import Station
from gridcheck.collection.models import BankDeposit, ReceiptStock
from gridcheck.collection.selectors import cash as selectors
from gridcheck.core.api import ScopedViewSetMixin
from gridcheck.core.periods import PeriodError, date_parse
from gridcheck.core.scoping import scoped

MAX_RANGE_DAYS = 92


class ReceiptStockSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    holder = serializers.CharField(source="holder.username", read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = ReceiptStock
        fields = [
            "id",
            "station",
            "kind",
            "kind_display",
            "series",
            "first_number",
            "last_number",
            "holder",
            "status",
            "status_display",
            "created_at",
            "checked_at",
            "destroyed_at",
            "counts",
        ]

    def get_counts(self, obj) -> dict:
        return selectors.stock_counts(obj)


class BankDepositSerializer(serializers.ModelSerializer):
    collector = serializers.CharField(source="collector.username", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    amount_yuan = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = BankDeposit
        fields = [
            "id",
            "station",
            "collector",
            "collection_day",
            "deposited_on",
            "amount_yuan",
            "bank",
            "slip_number",
            "status",
            "status_display",
            "remitted_on",
            "remittance_reference",
        ]


class ReceiptStockViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Receipt books and invoice stock issued to collectors, with their used/cancelled/unused counts."""

    queryset = ReceiptStock.objects.all()
    serializer_class = ReceiptStockSerializer
    filterset_fields = ["station", "kind", "status", "holder"]
    select_related = ("holder",)
    ordering_fields = ["series", "first_number", "created_at"]
    ordering = ["kind", "series", "first_number"]


class BankDepositViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Bank deposits (解款) of the collectors and their remittance upward (上缴)."""

    queryset = BankDeposit.objects.all()
    serializer_class = BankDepositSerializer
    filterset_fields = ["station", "collector", "status", "collection_day"]
    select_related = ("collector",)
    ordering_fields = ["deposited_on", "collection_day", "amount_yuan"]
    ordering = ["-deposited_on", "-id"]


def _money(value) -> str:
    return f"{value:.2f}"


def _person(user):
    return None if user is None else {"id": user.pk, "username": user.username, "full_name": user.full_name}


class ReconciliationViewSet(viewsets.ViewSet):
    """``GET ?station=&first=YYYY-MM-DD&last=YYYY-MM-DD``: receipts = deposits = books per day and collector."""

    @extend_schema(
        summary=_("Reconciliation of receipts, deposits and books"),
        parameters=[
            OpenApiParameter("station", int, required=False),
            OpenApiParameter("first", datetime.date, description="default: the first day of this month"),
            OpenApiParameter("last", datetime.date, description="default: today"),
        ],
        responses={200: dict},
    )
    def list(self, request):
        stations = scoped(Station, request.user).order_by("code")
        value = request.query_params.get("station") or (
            request.user.station_id and str(request.user.station_id)
        )
        if value:
            if not str(value).isdigit() or len(str(value)) > 11:
                raise ValidationError({"station": [_("Not a station id.")]})
            station = stations.filter(pk=int(value)).first()
        else:
            station = stations.first()
        if station is None:
            raise NotFound(_("No such station in your scope."))
        today = timezone.localdate()
        try:  # default: this month up to today
            first = date_parse(request.query_params.get("first") or today.replace(day=1).isoformat())
            last = date_parse(request.query_params.get("last") or today.isoformat())
        except PeriodError as error:
            raise ValidationError({"first": error.messages}) from None
        if last < first or (last - first).days >= MAX_RANGE_DAYS:
            raise ValidationError(
                {
                    "last": [
                        _("The period runs forward and covers at most %(n)s days.") % {"n": MAX_RANGE_DAYS}
                    ]
                }
            )
        result = selectors.reconciliation(station, first, last, user=request.user)
        checks = ("receipts", "deposits", "books")
        return Response(
            {
                "station": station.pk,
                "first": first,
                "last": last,
                "balanced": result.balanced,
                "rows": [
                    {
                        "day": r["day"],
                        "collector": _person(r["collector"]),
                        "payments": r["payments"],
                        "cash_yuan": _money(r["cash_yuan"]),
                        **{f"{c}_yuan": _money(r[f"{c}_yuan"]) for c in checks},
                        **{f"{c}_difference_yuan": _money(r[f"{c}_difference_yuan"]) for c in checks},
                    }
                    for r in result.rows
                ],
                "differences": [
                    {
                        "day": d["day"],
                        "collector": _person(d["collector"]),
                        "check": d["check"][: -len("_yuan")],
                        "label": d["label"],
                        "cash_yuan": _money(d["cash_yuan"]),
                        "figure_yuan": _money(d["figure_yuan"]),
                        "difference_yuan": _money(d["difference_yuan"]),
                    }
                    for d in result.differences
                ],
                "totals": {
                    key: (_money(value) if not isinstance(value, int) else value)
                    for key, value in result.totals.items()
                },
                "deposited_yuan": _money(result.deposited_yuan),
                "remitted_yuan": _money(result.remitted_yuan),
                "unremitted_yuan": _money(result.unremitted_yuan),
            }
        )


def register(router) -> None:
    """Add this part's viewsets to the collection router."""
    router.register("stock", ReceiptStockViewSet, basename="receiptstock")
    router.register("deposits", BankDepositViewSet, basename="bankdeposit")
    router.register("reconciliation", ReconciliationViewSet, basename="reconciliation")
