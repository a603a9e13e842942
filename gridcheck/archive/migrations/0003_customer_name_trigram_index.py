"""On PostgreSQL, a trigram index so that searching customers by part of their name stays fast.

Django's ``name__icontains`` becomes ``UPPER(name::text) LIKE UPPER('%…%')``; a GIN index with
``gin_trgm_ops`` on that expression serves it. SQLite has nothing to do here.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS archive_cust_name_trgm ON archive_customer USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS archive_cust_name_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
