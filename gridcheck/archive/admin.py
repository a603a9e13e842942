from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from gridcheck.archive.forms import IdentifierFormField
from gridcheck.archive.models import (
    Area,
    Company,
    Customer,
    ImportBatch,
    Line,
    Meter,
    MeteringPoint,
    Station,
    Tariff,
)

#: The identifier fields of each model, normalised and checked on the admin's forms too.
IDENTIFIER_FIELDS = {
    Company: ("code",),
    Station: ("code",),
    Line: ("code",),
    Area: ("code",),
    Tariff: ("code",),
    Customer: ("account_number", "tariff_code"),
    MeteringPoint: ("code",),
    Meter: ("asset_number",),
}


class ArchiveAdmin(SimpleHistoryAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in IDENTIFIER_FIELDS.get(self.model, ()):
            kwargs["form_class"] = IdentifierFormField
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class CustomerAdmin(ArchiveAdmin):
    """A customer's tariff code is set when it is created; afterwards only an approved category change
    (billing) changes it."""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "tariff_code") if obj is not None else fields


for model in IDENTIFIER_FIELDS:
    admin.site.register(model, CustomerAdmin if model is Customer else ArchiveAdmin)
admin.site.register(ImportBatch)
