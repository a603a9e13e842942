"""Serializers of the temporary supply API."""

from decimal import Decimal

from rest_framework import serializers

from gridcheck.archive.choices import VoltageLevel
from gridcheck.temporary_supply.choices import Completion, MeteringMode
from gridcheck.temporary_supply.models import TemporarySupply, TemporarySupplyEvent, TemporarySupplyExtension


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = TemporarySupplyEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemporarySupplyExtension
        fields = [
            "id",
            "requested_on",
            "previous_end_on",
            "new_end_on",
            "reason",
            "status",
            "decided_at",
            "comment",
        ]


class SupplySerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    station = serializers.CharField(source="station.code", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)
    contract = serializers.CharField(source="contract.number", read_only=True, default=None)

    class Meta:
        model = TemporarySupply
        fields = [
            "id",
            "number",
            "station",
            "area",
            "account_number",
            "applicant_name",
            "applied_on",
            "purpose",
            "address",
            "capacity_kva",
            "metering_mode",
            "start_on",
            "end_on",
            "prepayment_yuan",
            "contract",
            "status",
            "connected_on",
            "ended_on",
            "closed_on",
        ]


class SupplyDetailSerializer(SupplySerializer):
    events = EventSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)

    class Meta(SupplySerializer.Meta):
        fields = [
            *SupplySerializer.Meta.fields,
            "applicant_phone",
            "voltage_level",
            "tariff_code",
            "hours_per_day",
            "meter_asset_number",
            "original_end_on",
            "initial_reading_kwh",
            "final_reading_kwh",
            "energy_kwh",
            "price_yuan_per_kwh",
            "charge_yuan",
            "refund_yuan",
            "balance_due_yuan",
            "completion",
            "settlement_note",
            "events",
            "extensions",
        ]


class ApplySerializer(serializers.Serializer):
    area = serializers.CharField(help_text="transformer area code")
    applicant_name = serializers.CharField(max_length=100)
    applicant_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    applied_on = serializers.DateField()
    purpose = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=200)
    capacity_kva = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    voltage_level = serializers.ChoiceField(choices=VoltageLevel.choices, default="380V")
    tariff_code = serializers.CharField(max_length=30)
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    metering_mode = serializers.ChoiceField(choices=MeteringMode.choices)
    hours_per_day = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    meter_asset_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    prepayment_yuan = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ConnectSerializer(serializers.Serializer):
    on = serializers.DateField(required=False)
    initial_reading_kwh = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    meter_asset_number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class ExtendSerializer(serializers.Serializer):
    new_end_on = serializers.DateField()
    reason = serializers.CharField()
    requested_on = serializers.DateField(required=False)


class ExtensionDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    completion = serializers.ChoiceField(choices=Completion.choices)
    closed_on = serializers.DateField(required=False)
    final_reading_kwh = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
