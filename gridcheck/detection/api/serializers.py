from rest_framework import serializers

from gridcheck.detection.models import DetectionRun, Suspect


class SuspectSerializer(serializers.ModelSerializer):
    account_number = serializers.CharField(source="customer.account_number", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    area_code = serializers.CharField(source="area.code", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)
    area_loss_rate_percent = serializers.FloatField(read_only=True, allow_null=True)
    reasons = serializers.JSONField(read_only=True)
    probability_percent = serializers.IntegerField(read_only=True, allow_null=True)
    expected_yuan_rounded = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Suspect
        fields = [
            "id", "run", "month", "customer", "account_number", "customer_name", "meter_number", "area",
            "area_code", "station", "station_code", "score", "rank_in_area", "rank_in_station", "reasons",
            "area_loss_rate_percent", "status", "status_changed_at", "status_note", "work_order",
            "probability", "probability_percent", "estimated_loss_kwh", "recoverable_yuan", "expected_yuan",
            "expected_yuan_rounded", "priority", "within_capacity",
        ]  # fmt: skip
        read_only_fields = fields


class DetectionRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    duration_s = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = DetectionRun
        fields = [
            "id", "month", "status", "model_version", "progress_step", "progress_done", "progress_total",
            "progress_percent", "started_by", "analysis_run", "created_at", "started_at", "finished_at",
            "duration_s", "timings", "counts", "error",
        ]  # fmt: skip
        read_only_fields = fields
