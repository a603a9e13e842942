from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.inspections.models import (
    Campaign,
    InspectionPlan,
    TipOff,
    Visit,
    WorkOrder,
    WorkOrderEvent,
)


@admin.register(WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = ("number", "customer", "source", "status", "due_on", "visit_date")
    list_filter = ("status", "source", "station")
    search_fields = ("number", "customer__account_number", "customer__name")
    raw_id_fields = ("customer", "plan", "campaign", "created_by")
    # Status changes go through the services (assignment rules, audit reasons; they record a WorkOrderEvent).
    readonly_fields = ("status", "station", "number")


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(admin.ModelAdmin):
    list_display = ("work_order", "at", "actor", "from_status", "to_status")
    raw_id_fields = ("work_order", "actor")


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("work_order", "visited_at", "inspector1", "inspector2")
    raw_id_fields = ("work_order", "inspector1", "inspector2", "submitted_by")
    readonly_fields = ("station",)


@admin.register(InspectionPlan)
class InspectionPlanAdmin(SimpleHistoryAdmin):
    list_display = ("station", "month", "status")
    list_filter = ("status", "station")


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "station", "starts_on", "ends_on", "status")
    raw_id_fields = ("targets",)


@admin.register(TipOff)
class TipOffAdmin(SimpleHistoryAdmin):
    """The reporter's identity is not shown in the admin either: the register's pages decide who sees it."""

    list_display = ("number", "station", "status", "received_at", "visit_deadline")
    list_filter = ("status", "station")
    exclude = ("reporter_name", "reporter_phone")
    raw_id_fields = ("customer", "work_order", "received_by")
