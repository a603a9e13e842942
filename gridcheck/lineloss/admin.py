from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.lineloss.models import AnalysisRun, AreaDayLoss, AreaMonthLoss, LineMonthLoss, LossTarget


@admin.register(LossTarget)
class LossTargetAdmin(SimpleHistoryAdmin):
    list_display = ("area", "owner", "max_loss_rate_percent", "effective_from", "note")
    raw_id_fields = ("area", "owner")


@admin.register(AnalysisRun)
class AnalysisRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "month", "status", "backend", "started_by", "created_at", "finished_at")
    list_filter = ("status",)


@admin.register(AreaMonthLoss)
class AreaMonthLossAdmin(admin.ModelAdmin):
    list_display = ("month", "area", "loss_rate_percent", "target_percent", "flagged")
    list_filter = ("month", "flagged", "station")
    raw_id_fields = ("area", "line", "station", "run")


admin.site.register(LineMonthLoss)
admin.site.register(AreaDayLoss)
