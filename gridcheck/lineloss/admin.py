from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.lineloss.models import (
    AnalysisRun,
    AreaDayLoss,
    AreaMonthLoss,
    LineLossTarget,
    LineMonthLoss,
    LossAnalysis,
    LossTarget,
    RectificationPlan,
    StationLossIndicator,
    TheoreticalLoss,
)


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


@admin.register(StationLossIndicator)
class StationLossIndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("station", "month", "max_loss_rate_percent", "set_by")
    list_filter = ("station",)


@admin.register(LossAnalysis)
class LossAnalysisAdmin(SimpleHistoryAdmin):
    list_display = ("area", "month", "cause", "analysed_by", "analysed_on")
    raw_id_fields = ("area", "station", "analysed_by")


@admin.register(RectificationPlan)
class RectificationPlanAdmin(SimpleHistoryAdmin):
    list_display = ("area", "month", "status", "deadline", "responsible")
    list_filter = ("status",)
    raw_id_fields = ("area", "station", "analysis", "responsible")


@admin.register(TheoreticalLoss)
class TheoreticalLossAdmin(SimpleHistoryAdmin):
    list_display = ("area", "calculated_on", "method", "loss_rate_percent")
    raw_id_fields = ("area", "station", "line", "recorded_by")


admin.site.register(LineLossTarget, SimpleHistoryAdmin)
