from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from core.text import fold

    Proposal = apps.get_model("grants", "Proposal")
    for proposal in Proposal.objects.select_related("owner__profile", "organisation"):
        profile = getattr(proposal.owner, "profile", None)
        parts = [
            proposal.receipt_number or "",
            proposal.title,
            getattr(profile, "full_name", ""),
            proposal.owner.email,
            proposal.organisation.name if proposal.organisation else "",
        ]
        proposal.search_text = fold(" | ".join(p for p in parts if p))
        Proposal.objects.filter(pk=proposal.pk).update(search_text=proposal.search_text)


def trigram_index(apps, schema_editor):
    """PostgreSQL only: `LIKE '%...%'` on the folded text uses a trigram index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS grants_proposal_search_trgm "
        "ON grants_proposal USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS grants_proposal_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0002_proposals"),
        ("researchers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="proposal",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
