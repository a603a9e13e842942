from rest_framework import serializers

from gridcheck.reports.kinds import KINDS, ReportKind
from gridcheck.reports.models import GeneratedReport


class GeneratedReportSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    station_name = serializers.CharField(source="station.name", read_only=True)
    generated_by_name = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = GeneratedReport
        fields = [
            "id",
            "kind",
            "kind_label",
            "station",
            "station_name",
            "period_start",
            "period_end",
            "status",
            "generations",
            "generated_at",
            "generated_by_name",
            "summary",
            "pdf_url",
            "xlsx_url",
        ]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return str(KINDS[obj.kind].label)

    def get_generated_by_name(self, obj) -> str:
        return str(obj.generated_by) if obj.generated_by_id else ""

    def _url(self, obj, fmt: str) -> str:
        from django.urls import reverse

        return reverse("api:reports-report-download", args=[obj.pk, fmt])

    def get_pdf_url(self, obj) -> str:
        return self._url(obj, "pdf")

    def get_xlsx_url(self, obj) -> str:
        return self._url(obj, "xlsx")


class GenerateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportKind.choices)
    station = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    period = serializers.CharField(max_length=10)


class CentreRowSerializer(serializers.Serializer):
    kind = serializers.CharField(source="kind.code")
    kind_label = serializers.CharField(source="kind.label")
    period_kind = serializers.CharField(source="kind.period_kind")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    report = GeneratedReportSerializer(allow_null=True)
