"""Collection in the admin: the company's late-fee practice (a named setting per company, audited).

Money records (payments, receivables, reversals, deposits) change only through the services and their
pages, which check the capabilities, the scope and the separation of duties; the admin only reads them.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.collection.models import CollectionEvent, CollectionPolicy


@admin.register(CollectionPolicy)
class CollectionPolicyAdmin(SimpleHistoryAdmin):
    list_display = (
        "company",
        "count_payment_day",
        "year_end",
        "grace_days",
        "reprice_on_tariff_rise",
        "minimum_applies_to",
    )


@admin.register(CollectionEvent)
class CollectionEventAdmin(admin.ModelAdmin):
    list_display = ("subject_type", "subject_id", "at", "actor", "from_status", "to_status")
    list_filter = ("subject_type", "to_status")
    raw_id_fields = ("actor",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
