from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.hazards.models import (
    CustomerContact,
    CustomerSafetyProfile,
    Drill,
    GovernmentContact,
    Hazard,
    HazardEvent,
    Notice,
)


@admin.register(Hazard)
class HazardAdmin(SimpleHistoryAdmin):
    list_display = ("id", "customer", "category", "severity", "status", "found_on", "deadline")
    list_filter = ("severity", "status", "category", "station")
    raw_id_fields = ("customer", "responsible_staff", "found_by")
    # Status changes go through the services (they record a HazardEvent).
    readonly_fields = ("status", "station")


@admin.register(HazardEvent)
class HazardEventAdmin(admin.ModelAdmin):
    list_display = ("hazard", "at", "actor", "from_status", "to_status")
    raw_id_fields = ("hazard",)


@admin.register(Notice)
class NoticeAdmin(SimpleHistoryAdmin):
    list_display = ("document_number", "title", "kind", "period", "channel", "sent_at", "paper_delivered_on")
    list_filter = ("kind", "channel")
    raw_id_fields = ("customer", "hazards")


@admin.register(CustomerContact)
class CustomerContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "customer", "role", "phone", "email", "portal_user")
    raw_id_fields = ("customer", "portal_user")


@admin.register(GovernmentContact)
class GovernmentContactAdmin(SimpleHistoryAdmin):
    list_display = ("department", "name", "title", "phone", "email")


@admin.register(CustomerSafetyProfile)
class CustomerSafetyProfileAdmin(SimpleHistoryAdmin):
    list_display = ("customer", "has_dual_supply", "has_self_generator", "generator_interlocked")
    raw_id_fields = ("customer",)


@admin.register(Drill)
class DrillAdmin(SimpleHistoryAdmin):
    list_display = ("customer", "scenario", "scheduled_on", "status", "held_on")
    raw_id_fields = ("customer",)
