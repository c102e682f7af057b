from django.db import migrations


def trigram_index(apps, schema_editor):
    """PostgreSQL only: the catalogue's folded-text search (`LIKE '%...%'`) uses this index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS transfer_technology_search_trgm "
        "ON transfer_technology USING gin (search_text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS transfer_technology_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("transfer", "0001_initial")]
    operations = [migrations.RunPython(trigram_index, drop)]
