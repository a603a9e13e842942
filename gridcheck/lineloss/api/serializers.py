from rest_framework import serializers

from gridcheck.lineloss.models import AnalysisRun, AreaMonthLoss, LineMonthLoss, LossTarget


class AreaMonthLossSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    line_code = serializers.CharField(source="line.code", read_only=True)
    station_code = serializers.CharField(source="station.code", read_only=True)

    class Meta:
        model = AreaMonthLoss
        fields = [
            "id", "run", "month", "area", "area_code", "line", "line_code", "station", "station_code",
            "supply_kwh", "sales_kwh", "loss_kwh", "loss_rate_percent", "days", "reading_rate_percent",
            "imbalance_rate_percent", "target_percent", "previous_loss_rate_percent", "negative_loss",
            "above_target", "swing", "failing_months", "failing_three_months", "imbalance", "theft_suspects",
            "flagged", "causes", "causes_text",
        ]  # fmt: skip


class LineMonthLossSerializer(serializers.ModelSerializer):
    line_code = serializers.CharField(source="line.code", read_only=True)

    class Meta:
        model = LineMonthLoss
        fields = [
            "id", "run", "month", "line", "line_code", "station", "supply_kwh", "sales_kwh", "loss_kwh",
            "loss_rate_percent", "days", "reading_rate_percent",
        ]  # fmt: skip


class AnalysisRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    duration_s = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = AnalysisRun
        fields = [
            "id", "month", "status", "backend", "progress_step", "progress_done", "progress_total",
            "progress_percent", "started_by", "created_at", "started_at", "finished_at", "duration_s",
            "timings", "counts", "error",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("month", "backend")]


class LossTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = LossTarget
        fields = ["id", "area", "owner", "max_loss_rate_percent", "effective_from", "note"]
