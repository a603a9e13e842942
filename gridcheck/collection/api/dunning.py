"""Collection API: dunning notices and disconnections for arrears (read-only, scoped).

Reading: whoever may read collection (``view_collection``), within their scope. Notices are issued and
disconnections decided on the pages (the services check who may).
"""

from rest_framework import serializers, viewsets

from gridcheck.collection.models import CollectionEvent, Disconnection, DunningNotice
from gridcheck.core.api import ScopedViewSetMixin


class _EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = CollectionEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class _WithEvents(serializers.ModelSerializer):
    events = serializers.SerializerMethodField()
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    def get_events(self, obj) -> list[dict]:
        if not self.context.get("with_events"):
            return []
        rows = CollectionEvent.objects.filter(
            subject_type=type(obj).__name__, subject_id=obj.pk
        ).select_related("actor")
        return _EventSerializer(rows, many=True).data


class DunningNoticeSerializer(_WithEvents):
    receivables = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    issued_by = serializers.StringRelatedField(allow_null=True)
    delivered_by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = DunningNotice
        fields = [
            "id", "number", "customer", "account_number", "customer_name", "station", "area", "receivables",
            "sequence", "channel", "arrears_yuan", "late_fee_yuan", "pay_by", "status", "issued_by",
            "created_at", "delivered_by", "delivered_at", "delivery_note", "notification_id", "events",
        ]  # fmt: skip


class DisconnectionSerializer(_WithEvents):
    proposed_by = serializers.StringRelatedField(allow_null=True)
    approved_by = serializers.StringRelatedField(allow_null=True)
    county_approved_by = serializers.StringRelatedField(allow_null=True)
    executed_by = serializers.StringRelatedField(allow_null=True)
    reconnected_by = serializers.StringRelatedField(allow_null=True)
    work_order_number = serializers.CharField(source="work_order.number", read_only=True, default=None)
    reconnect_work_order_number = serializers.CharField(
        source="reconnect_work_order.number", read_only=True, default=None
    )

    class Meta:
        model = Disconnection
        fields = [
            "id", "number", "customer", "account_number", "customer_name", "station", "area", "arrears_yuan",
            "reason", "status", "needs_county", "proposed_by", "created_at", "approved_by", "approved_at",
            "county_approved_by", "county_approved_at", "notice_served_on", "cut_not_before", "reminder_on",
            "work_order_number", "executed_at", "executed_by", "reconnect_work_order_number",
            "reconnect_ordered_at", "reconnected_at", "reconnected_by", "events",
        ]  # fmt: skip


class _DetailEvents:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["with_events"] = self.action == "retrieve"
        return context


class DunningNoticeViewSet(_DetailEvents, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Dunning notices, newest first; the detail carries the state changes."""

    queryset = DunningNotice.objects.all()
    serializer_class = DunningNoticeSerializer
    filterset_fields = ["station", "area", "customer", "channel", "status"]
    select_related = ("customer", "issued_by", "delivered_by")
    prefetch_related = ("receivables",)
    ordering_fields = ["created_at", "number", "arrears_yuan", "pay_by"]
    ordering = ["-created_at", "-pk"]


class DisconnectionViewSet(_DetailEvents, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Disconnections for arrears, newest first; the detail carries the state changes."""

    queryset = Disconnection.objects.all()
    serializer_class = DisconnectionSerializer
    filterset_fields = ["station", "area", "customer", "status", "needs_county"]
    select_related = (
        "customer", "proposed_by", "approved_by", "county_approved_by", "executed_by", "reconnected_by",
        "work_order", "reconnect_work_order",
    )  # fmt: skip
    ordering_fields = ["created_at", "number", "arrears_yuan", "cut_not_before"]
    ordering = ["-created_at", "-pk"]


def register(router) -> None:
    """Add this part's viewsets to the collection router."""
    router.register("dunning-notices", DunningNoticeViewSet, basename="dunningnotice")
    router.register("disconnections", DisconnectionViewSet, basename="disconnection")
