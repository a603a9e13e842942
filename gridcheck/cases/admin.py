from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.cases.models import Case, CaseApproval, CaseEvent, Payment


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ("number", "customer", "kind", "case_date", "total_due_yuan", "status", "police_referral")
    list_filter = ("kind", "status", "station", "police_referral")
    raw_id_fields = ("customer", "meter", "created_by")
    # Amounts and statuses change only through the services (they record a CaseEvent).
    readonly_fields = ("status", "station", "calculation", "total_due_yuan", "police_referral")


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "actor", "from_status", "to_status")
    raw_id_fields = ("case",)


@admin.register(CaseApproval)
class CaseApprovalAdmin(admin.ModelAdmin):
    list_display = ("case", "level", "approver", "decision", "decided_at")
    raw_id_fields = ("case",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("case", "amount_yuan", "paid_on", "receipt_number")
    raw_id_fields = ("case",)
