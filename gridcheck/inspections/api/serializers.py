"""Serializers of the inspections API (read-only representations; changes go through the services)."""

from rest_framework import serializers

from gridcheck.inspections import selectors
from gridcheck.inspections.models import InspectionPlan, TipOff, Visit, WorkOrder, WorkOrderEvent


class WorkOrderEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()
    # Plain strings (the WorkOrderStatus values, or "" for the first event): one enum in the schema.
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = WorkOrderEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class WorkOrderSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    assignees = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    is_overdue = serializers.BooleanField(read_only=True)
    events = WorkOrderEventSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "source",
            "customer",
            "customer_name",
            "account_number",
            "station",
            "reason",
            "status",
            "due_on",
            "visit_date",
            "plan",
            "plan_slot",
            "campaign",
            "related_type",
            "related_id",
            "assignees",
            "is_overdue",
            "created_at",
            "closed_at",
            "outcome",
            "events",
        ]
        read_only_fields = fields


class WorkOrderCreateSerializer(serializers.Serializer):
    source = serializers.CharField()
    customer = serializers.IntegerField()
    reason = serializers.CharField()
    due_on = serializers.DateField(required=False, allow_null=True)


class AssignSerializer(serializers.Serializer):
    inspectors = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    visit_date = serializers.DateField()


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = [
            "id",
            "work_order",
            "visited_at",
            "checklist",
            "findings",
            "notes",
            "customer_refused",
            "refusal_note",
            "inspector1",
            "inspector2",
        ]
        read_only_fields = fields


class InspectionPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionPlan
        fields = ["id", "station", "month", "status", "note"]
        read_only_fields = fields


class TipOffSerializer(serializers.ModelSerializer):
    """The reporter is shown only to the roles that may see them; everyone else reads 保密."""

    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = TipOff
        fields = [
            "id",
            "number",
            "station",
            "channel",
            "received_at",
            "reporter_name",
            "reporter_phone",
            "customer",
            "address",
            "description",
            "visit_deadline",
            "visited_at",
            "status",
            "work_order",
            "reward_amount_yuan",
            "reward_paid_on",
        ]
        read_only_fields = fields

    def _shown(self, obj):
        return selectors.reporter_display(obj, self.context["request"].user)

    def get_reporter_name(self, obj) -> str:
        return str(self._shown(obj)["name"])

    def get_reporter_phone(self, obj) -> str:
        return str(self._shown(obj)["phone"])
