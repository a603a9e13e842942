"""The first version of each KPI (``gridcheck.assessment.defaults``)."""

import datetime
from decimal import Decimal

from django.db import migrations


def load(apps, schema_editor):
    from gridcheck.assessment.defaults import DEFAULT_KPIS, FIELDS

    KpiDefinition = apps.get_model("assessment", "KpiDefinition")
    for row in DEFAULT_KPIS:
        data = dict(zip(FIELDS, row, strict=True))
        if KpiDefinition.objects.filter(code=data["code"]).exists():
            continue
        data["target"] = Decimal(data["target"])
        data["weight"] = Decimal(data["weight"])
        KpiDefinition.objects.create(
            version=1,
            effective_from=datetime.date(2000, 1, 1),
            reason="Initial KPI set (issue 18)",
            **data,
        )


def unload(apps, schema_editor):
    apps.get_model("assessment", "KpiDefinition").objects.filter(version=1, changed_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
