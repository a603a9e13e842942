from rest_framework import serializers

from gridcheck.readings.models import MeterDataImport, ReadingRate


class MeterDataImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeterDataImport
        fields = [
            "id", "kind", "file_name", "size_bytes", "status", "rows", "rows_created", "rows_updated",
            "rows_unchanged", "months", "errors", "warnings", "mapping", "user", "created_at", "duration_s",
        ]  # fmt: skip


class ReadingRateSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)

    class Meta:
        model = ReadingRate
        fields = [
            "id", "area", "area_code", "line", "station", "reading_date", "meters", "meters_read",
            "reading_rate_percent", "quality_counts",
        ]  # fmt: skip
