"""Serializers of the billing API: bills with their itemised calculation, books, cycles, readings,
refunds and back-bills, category changes (read-only; a reading is entered through ``reading_enter``)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridcheck.billing.choices import ReadingSource
from gridcheck.billing.models import (
    Bill,
    BillAdjustment,
    BillingEvent,
    CategoryChange,
    MeterReading,
    ReadingBook,
    ReadingCycle,
)

#: The status choice sets share the field name "status"; written as text to keep one enum per name.
STATUS_HELP = (
    "See the status choices of billing (pending, checked, approved, rejected; open, billed, closed)."
)


class BillingEventSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = BillingEvent
        fields = ["at", "actor", "from_status", "to_status", "note"]


class CalculationLineSerializer(serializers.Serializer):
    """One line of a bill: what it is, how it was computed, from what, under which rule."""

    key = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    formula = serializers.CharField(allow_blank=True, required=False)
    inputs = serializers.DictField(required=False)
    value = serializers.CharField(allow_null=True, required=False)
    unit = serializers.CharField(allow_blank=True, required=False)
    article = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    rules = serializers.ListField(child=serializers.CharField(), required=False)


class BillListSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    amount_due_yuan = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Bill
        fields = [
            "id", "number", "customer", "account_number", "customer_name", "station", "area", "area_code",
            "cycle", "period", "period_start", "period_end", "tariff_code", "tariff_name", "energy_kwh",
            "energy_charge_yuan", "basic_charge_yuan", "power_factor", "power_factor_yuan", "funds_yuan",
            "total_yuan", "adjusted_total_yuan", "amount_due_yuan", "review_flags", "status",
            "prepared_by", "checked_by", "checked_at", "issued_at",
        ]  # fmt: skip
        read_only_fields = fields


class BillSerializer(BillListSerializer):
    """A bill with its calculation lines (formula, inputs, value, unit, rule) and its state changes."""

    lines = serializers.SerializerMethodField()
    calculation_inputs = serializers.JSONField(source="inputs", read_only=True)
    events = serializers.SerializerMethodField()

    class Meta(BillListSerializer.Meta):
        fields = [*BillListSerializer.Meta.fields, "lines", "calculation_inputs", "events"]
        read_only_fields = fields

    @extend_schema_field(CalculationLineSerializer(many=True))
    def get_lines(self, bill) -> list:
        items = (bill.calculation or {}).get("items", [])
        return [
            {
                "key": str(item.get("key", "")),
                "name": str(item.get("name", "") or ""),
                "formula": str(item.get("formula", "") or ""),
                "inputs": item.get("inputs") if isinstance(item.get("inputs"), dict) else {},
                "value": None if item.get("value") is None else str(item.get("value")),
                "unit": str(item.get("unit", "") or ""),
                "article": None if item.get("article") is None else str(item.get("article")),
                "rules": [str(rule) for rule in item.get("rules") or []],
            }
            for item in items
        ]

    @extend_schema_field(BillingEventSerializer(many=True))
    def get_events(self, bill) -> list:
        events = BillingEvent.objects.filter(subject_type="Bill", subject_id=bill.pk).select_related("actor")
        return BillingEventSerializer(events, many=True).data


class ReadingBookSerializer(serializers.ModelSerializer):
    reader_name = serializers.CharField(source="reader.full_name", read_only=True)
    areas = serializers.SerializerMethodField()

    class Meta:
        model = ReadingBook
        fields = [
            "id",
            "code",
            "name",
            "station",
            "reading_day",
            "cycle_months",
            "reader",
            "reader_name",
            "areas",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_areas(self, book) -> list[int]:
        return [entry.area_id for entry in book.areas.all()]


class ReadingCycleSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    book_code = serializers.CharField(source="book.code", read_only=True)

    class Meta:
        model = ReadingCycle
        fields = [
            "id",
            "book",
            "book_code",
            "station",
            "period",
            "reading_date",
            "previous_reading_date",
            "status",
        ]
        read_only_fields = fields


class MeterReadingSerializer(serializers.ModelSerializer):
    meter_asset_number = serializers.CharField(source="meter.asset_number", read_only=True)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)

    class Meta:
        model = MeterReading
        fields = [
            "id", "cycle", "meter", "meter_asset_number", "customer", "account_number", "station", "area",
            "read_on", "total", "peak", "flat", "valley", "reactive", "multiplier_read", "source",
            "entered_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


REGISTER_LIMIT = Decimal("999999999999.99")


def _register(**kwargs):
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=REGISTER_LIMIT,
        required=False,
        allow_null=True,
        **kwargs,
    )


class MeterReadingCreateSerializer(serializers.Serializer):
    """A reading of one meter in one cycle: register values before the multiplier."""

    cycle = serializers.IntegerField(min_value=1, max_value=2**62)
    meter = serializers.IntegerField(min_value=1, max_value=2**62)
    source = serializers.ChoiceField(
        choices=[c for c in ReadingSource.choices if c[0] != ReadingSource.AMI],
        default=ReadingSource.HANDHELD,
    )
    total = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), max_value=REGISTER_LIMIT
    )
    peak = _register()
    flat = _register()
    valley = _register()
    reactive = _register()
    multiplier_read = _register()


class BillAdjustmentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    bill_number = serializers.CharField(source="bill.number", read_only=True)

    class Meta:
        model = BillAdjustment
        fields = [
            "id", "bill", "bill_number", "station", "area", "kind", "reason", "amount_yuan", "status",
            "prepared_by", "decided_by", "decided_at", "comment", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class CategoryChangeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)
    account_number = serializers.CharField(source="customer.account_number", read_only=True)

    class Meta:
        model = CategoryChange
        fields = [
            "id", "customer", "account_number", "station", "area", "old_tariff_code", "new_tariff_code",
            "effective_on", "reason", "status", "applied_by", "checked_by", "decided_by", "decided_at",
            "comment", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
