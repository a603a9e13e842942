"""Serializers of the cases API (read-only; changes go through the services and the pages)."""

from rest_framework import serializers

from gridcheck.cases.models import Case, CaseApproval, CaseEvent, Payment


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = CaseEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class CaseApprovalSerializer(serializers.ModelSerializer):
    approver = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = CaseApproval
        fields = ["level", "approver", "decision", "comment", "decided_at"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["amount_yuan", "paid_on", "receipt_number", "recorded_at"]


class CaseSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    label = serializers.IntegerField(read_only=True, allow_null=True)
    events = CaseEventSerializer(many=True, read_only=True)
    approvals = CaseApprovalSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "kind",
            "theft_type",
            "violation_type",
            "customer",
            "account_number",
            "customer_name",
            "station",
            "meter",
            "visit_ref",
            "case_date",
            "facts",
            "inputs",
            "calc_settings",
            "capacity_voltage_v",
            "capacity_reason",
            "tariff_code",
            "price_yuan_per_kwh",
            "calculation",
            "total_due_yuan",
            "police_referral",
            "needs_county_approval",
            "notified_on",
            "signed_by_customer",
            "signer_name",
            "refusal_note",
            "cause_found",
            "responsible_dealt_with",
            "measures_taken",
            "legal_step",
            "police_transfer_on",
            "police_reference",
            "no_legal_step_reason",
            "write_off_yuan",
            "write_off_reason",
            "write_off_approved_at",
            "settled_amount_yuan",
            "settlement_kind",
            "settled_on",
            "settlement_reference",
            "cancel_reason",
            "closed_on",
            "status",
            "label",
            "events",
            "approvals",
            "payments",
        ]
        read_only_fields = fields


class CaseLabelSerializer(serializers.Serializer):
    account_number = serializers.CharField()
    meter_asset_numbers = serializers.ListField(child=serializers.CharField())
    label = serializers.IntegerField()
    case_date = serializers.DateField()
