from rest_framework import serializers

from gridcheck.lineloss.models import (
    AnalysisRun,
    AreaMonthLoss,
    LineLossTarget,
    LineMonthLoss,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    StationLossIndicator,
    TheoreticalLoss,
)


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
            "suspects_explained_kwh", "suspects_expected_yuan", "suspects_material",
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
        fields = [
            "id",
            "area",
            "owner",
            "max_loss_rate_percent",
            "effective_from",
            "note",
            "source",
            "indicator",
        ]


class LossTargetWriteSerializer(serializers.Serializer):
    """``POST targets/``: one area's target of a month (``manage_loss_targets``)."""

    area = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM; a closed month is refused")
    max_loss_rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StationLossIndicatorSerializer(serializers.ModelSerializer):
    station_code = serializers.CharField(source="station.code", read_only=True)

    class Meta:
        model = StationLossIndicator
        fields = ["id", "station", "station_code", "month", "max_loss_rate_percent", "set_by", "note"]
        read_only_fields = ["set_by"]


class IndicatorWriteSerializer(serializers.Serializer):
    station = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM; a closed month is refused")
    max_loss_rate_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LineLossTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = LineLossTarget
        fields = ["id", "line", "station", "month", "max_loss_rate_percent", "indicator"]


class RectificationPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = RectificationPlan
        fields = [
            "id", "area", "station", "analysis", "month", "measures", "responsible", "opened_on", "deadline",
            "status", "closed_on", "result",
        ]  # fmt: skip


class LossAnalysisSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    plan = RectificationPlanSerializer(read_only=True)

    class Meta:
        model = LossAnalysis
        fields = [
            "id", "area", "area_code", "station", "month", "flags", "loss_rate_percent", "cause", "cause_detail",
            "measures", "analysed_by", "analysed_on", "plan",
        ]  # fmt: skip


class AnalysisWriteSerializer(serializers.Serializer):
    area = serializers.IntegerField()
    month = serializers.CharField(help_text="YYYY-MM")
    cause = serializers.CharField()
    cause_detail = serializers.CharField()
    measures = serializers.CharField()
    analysed_on = serializers.DateField(required=False)


class TheoreticalLossSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = TheoreticalLoss
        fields = [
            "id", "area", "area_code", "station", "calculated_on", "method", "loss_rate_percent", "capacity_kva",
            "line", "parameters", "note", "recorded_by",
        ]  # fmt: skip


class TheoreticalWriteSerializer(serializers.Serializer):
    """Either ``loss_rate_percent`` (entered) or ``resistance_ohm`` (computed)."""

    area = serializers.IntegerField()
    calculated_on = serializers.DateField(required=False)
    loss_rate_percent = serializers.DecimalField(max_digits=6, decimal_places=3, required=False)
    resistance_ohm = serializers.DecimalField(max_digits=10, decimal_places=4, required=False)
    supply_kwh = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, required=False)
    no_load_loss_kw = serializers.DecimalField(max_digits=8, decimal_places=3, required=False, default=0)
    load_loss_kw = serializers.DecimalField(max_digits=8, decimal_places=3, required=False, default=0)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if (attrs.get("loss_rate_percent") is None) == (attrs.get("resistance_ohm") is None):
            raise serializers.ValidationError("Give either loss_rate_percent or resistance_ohm.")
        return attrs
