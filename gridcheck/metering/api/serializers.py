"""Serializers of the metering ledger API (representations; changes go through the services)."""

from rest_framework import serializers

from gridcheck.metering.models import Asset, MeterChange


class AssetSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)
    metering_point_code = serializers.CharField(source="metering_point.code", read_only=True, default=None)
    device_type_name = serializers.CharField(source="device_type.__str__", read_only=True, default=None)
    obsolete = serializers.BooleanField(source="device_type.obsolete", read_only=True, default=False)

    class Meta:
        model = Asset
        fields = [
            "id",
            "kind",
            "kind_display",
            "asset_number",
            "device_type",
            "device_type_name",
            "obsolete",
            "serial_number",
            "manufacturer",
            "manufactured_on",
            "accuracy_class",
            "phase",
            "rated_current_a",
            "max_current_a",
            "ratio",
            "first_verified_on",
            "last_verified_on",
            "due_on",
            "status",
            "status_display",
            "station",
            "station_code",
            "metering_point",
            "metering_point_code",
            "installed_on",
            "removed_on",
            "meter",
        ]
        read_only_fields = fields


class MeterChangeSerializer(serializers.ModelSerializer):
    old_asset_number = serializers.CharField(source="old_asset.asset_number", read_only=True)
    new_asset_number = serializers.CharField(source="new_asset.asset_number", read_only=True)
    seals_removed = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")
    seals_used = serializers.SlugRelatedField(many=True, read_only=True, slug_field="number")

    class Meta:
        model = MeterChange
        fields = [
            "id",
            "metering_point",
            "old_asset",
            "old_asset_number",
            "new_asset",
            "new_asset_number",
            "changed_on",
            "reason",
            "old_total",
            "old_peak",
            "old_flat",
            "old_valley",
            "new_total",
            "new_peak",
            "new_flat",
            "new_valley",
            "seals_removed",
            "seals_used",
            "by",
            "second_person",
            "note",
        ]
        read_only_fields = fields


class RegistersSerializer(serializers.Serializer):
    total = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    peak = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    flat = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    valley = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class MeterChangeCreateSerializer(serializers.Serializer):
    """A meter change sent by the field app: asset numbers, seal numbers, the second person's id."""

    old_asset_number = serializers.CharField(max_length=40)
    new_asset_number = serializers.CharField(max_length=40)
    changed_on = serializers.DateField()
    reason = serializers.CharField(max_length=20)
    old_registers = RegistersSerializer()
    new_registers = RegistersSerializer()
    second_person = serializers.IntegerField()
    seals_removed = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, default=list
    )
    seals_used = serializers.ListField(child=serializers.CharField(max_length=30), allow_empty=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
