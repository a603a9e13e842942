"""The first version of each KPI (``gridcheck.assessment.defaults``)."""

from django.db import migrations


def load(apps, schema_editor):
    from gridcheck.assessment.defaults import kpi_defaults_ensure

    kpi_defaults_ensure(apps.get_model("assessment", "KpiDefinition"))


def unload(apps, schema_editor):
    apps.get_model("assessment", "KpiDefinition").objects.filter(version=1, changed_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
