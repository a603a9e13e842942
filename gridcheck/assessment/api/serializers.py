"""Serializers of the assessment API."""

from rest_framework import serializers

from gridcheck.assessment.choices import AdjustmentKind
from gridcheck.assessment.models import Adjustment, KpiDefinition, Scorecard, ScorecardLine


class ScorecardLineSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="kpi.code")
    version = serializers.IntegerField(source="kpi.version")
    name = serializers.CharField(source="kpi.name")
    unit = serializers.CharField(source="kpi.unit")

    class Meta:
        model = ScorecardLine
        fields = ["code", "version", "name", "unit", "value", "target", "met", "points", "fine_yuan"]


class AdjustmentSerializer(serializers.ModelSerializer):
    proposed_by = serializers.StringRelatedField()
    decided_by = serializers.StringRelatedField()

    class Meta:
        model = Adjustment
        fields = [
            "id",
            "scorecard",
            "kind",
            "points",
            "reason",
            "status",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class ScorecardSerializer(serializers.ModelSerializer):
    person = serializers.StringRelatedField()
    station = serializers.StringRelatedField()
    signed_by = serializers.StringRelatedField()
    lines = ScorecardLineSerializer(many=True, read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "month",
            "subject",
            "person",
            "station",
            "base_points",
            "kpi_points",
            "adjustment_points",
            "total_points",
            "fine_yuan",
            "rank",
            "status",
            "computed_at",
            "signed_by",
            "signed_at",
            "lines",
        ]
        read_only_fields = fields


class KpiSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiDefinition
        fields = ["id", "code", "version", *KpiDefinition.DEFINED_FIELDS, "effective_from", "reason"]
        read_only_fields = ["id", "version"]
        validators = []  # a new version is numbered by the service


class AdjustmentProposeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdjustmentKind.choices)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    reason = serializers.CharField(max_length=300)


class DecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
