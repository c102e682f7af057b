from django.db import migrations, models


def segment(apps, schema_editor):
    """The words of the records saved before words were stored (core.words, decision 0010)."""
    from core.words import joined_words

    Technology = apps.get_model("transfer", "Technology")
    for row in Technology.objects.only("title", "summary", "description").iterator():
        words = joined_words(row.title, row.summary, row.description[:1500])
        Technology.objects.filter(pk=row.pk).update(words=words)
    TechnologyNeed = apps.get_model("transfer", "TechnologyNeed")
    for row in TechnologyNeed.objects.only("title", "problem").iterator():
        TechnologyNeed.objects.filter(pk=row.pk).update(words=joined_words(row.title, row.problem))


class Migration(migrations.Migration):
    dependencies = [("transfer", "0007_catalogue_entries")]
    operations = [
        migrations.AddField(
            model_name="technology",
            name="words",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="technologyneed",
            name="words",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(segment, migrations.RunPython.noop),
    ]
