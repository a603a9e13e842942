from django.contrib import admin

from gridcheck.readings.models import MeterDataImport, ReadingRate


@admin.register(MeterDataImport)
class MeterDataImportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "file_name", "status", "rows", "user")
    list_filter = ("kind", "status")


@admin.register(ReadingRate)
class ReadingRateAdmin(admin.ModelAdmin):
    list_display = ("reading_date", "area", "meters", "meters_read", "reading_rate_percent")
    list_filter = ("station",)
    raw_id_fields = ("area", "line", "station")
