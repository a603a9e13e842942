"""The reason of the first KPI versions in Chinese, as the page shows it (it named a development issue)."""

from django.db import migrations

OLD = "Initial KPI set (issue 18)"
NEW = "系统预置的初始考核指标"  # gridcheck.assessment.defaults.INITIAL_REASON


def forward(apps, schema_editor):
    apps.get_model("assessment", "KpiDefinition").objects.filter(reason=OLD).update(reason=NEW)


def backward(apps, schema_editor):
    apps.get_model("assessment", "KpiDefinition").objects.filter(reason=NEW).update(reason=OLD)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial_squashed_0002_default_kpis")]

    operations = [migrations.RunPython(forward, backward)]
