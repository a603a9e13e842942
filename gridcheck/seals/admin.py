from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.seals.models import Pliers, Seal, SealBatch


@admin.register(SealBatch)
class SealBatchAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "station", "received_on")


@admin.register(Seal)
class SealAdmin(SimpleHistoryAdmin):
    list_display = ("number", "station", "status", "holder", "meter")
    list_filter = ("status", "station")
    search_fields = ("number",)
    readonly_fields = ("status", "holder", "meter")


@admin.register(Pliers)
class PliersAdmin(SimpleHistoryAdmin):
    list_display = ("code", "station", "status", "holder")
    readonly_fields = ("status", "holder")
