from django.contrib import admin

from gridcheck.detection.models import DetectionRun, Suspect, SuspectStatusChange


@admin.register(DetectionRun)
class DetectionRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "month", "status", "model_version", "started_by", "created_at", "finished_at")
    list_filter = ("status",)


@admin.register(Suspect)
class SuspectAdmin(admin.ModelAdmin):
    list_display = ("month", "customer", "meter_number", "area", "score", "rank_in_area", "status")
    list_filter = ("month", "status", "station")
    raw_id_fields = ("run", "customer", "area", "station", "status_changed_by")


@admin.register(SuspectStatusChange)
class SuspectStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_at", "customer", "month", "from_status", "to_status", "changed_by")
    raw_id_fields = ("suspect", "customer", "area", "station", "changed_by")
