from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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

for model in (Company, Station, Line, Area, Tariff, Customer, MeteringPoint, Meter):
    admin.site.register(model, SimpleHistoryAdmin)
admin.site.register(ImportBatch)
