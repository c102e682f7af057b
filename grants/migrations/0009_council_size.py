"""A selection council has 7 to 9 members (Circular 20/2023/TT-BKHCN, art. 8), the call
choosing within that range; the field allowed 3 to 15.

Data-safe: before the check constraint is added, every call outside the range is brought inside
it — clamped to the nearest bound (3–6 seats become 7, 10–15 become 9) — and so is the
`min_reviewers` of its saved drafts (page revisions), so that publishing an old draft does not
break the constraint. Each change is printed ("Council size of call AG-NN01: 5 → 7"), so the
person migrating knows which calls to look at. Councils already seated are left as they are:
a call clamped down keeps its extra seats, and a call clamped up has free seats to fill.

Criteria also get an English name (`name_en`), so that the reasons and pages in English name
them in English (`RubricCriterion.label`)."""

import sys

import django.core.validators

from django.db import migrations, models

LOWEST, HIGHEST = 7, 9


def clamp(size):
    """The nearest council size within 7–9 (None, an unset size, becomes the default 7)."""
    if size is None:
        return LOWEST
    return min(max(size, LOWEST), HIGHEST)


def clamp_council_sizes(apps, schema_editor, out=None):
    """Bring every call (and its saved drafts) within 7–9; return the changes made as
    (code, before, after) and print them."""
    out = out or sys.stdout
    database = schema_editor.connection.alias
    CallPage = apps.get_model("grants", "CallPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    changes = []
    outside = CallPage.objects.using(database).exclude(
        min_reviewers__gte=LOWEST, min_reviewers__lte=HIGHEST
    )
    for call in outside.order_by("pk"):
        size = clamp(call.min_reviewers)
        changes.append((call.code, call.min_reviewers, size))
        CallPage.objects.using(database).filter(pk=call.pk).update(min_reviewers=size)
    kind = ContentType.objects.using(database).filter(app_label="grants", model="callpage").first()
    if kind is not None:
        for revision in Revision.objects.using(database).filter(content_type=kind).order_by("pk"):
            content = revision.content or {}
            size = content.get("min_reviewers")
            if isinstance(size, int) and clamp(size) != size:
                content["min_reviewers"] = clamp(size)
                revision.content = content
                revision.save(update_fields=["content"])
    for code, before, after in changes:
        out.write(f"  Council size of call {code}: {before} → {after} (Circular 20/2023: 7–9)\n")
    return changes


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("grants", "0008_contract_to_projects"),
    ]

    operations = [
        migrations.AddField(
            model_name="rubriccriterion",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="Shown on the English pages; the Vietnamese name when left empty.",
                max_length=200,
                verbose_name="criterion (English)",
            ),
        ),
        migrations.RunPython(clamp_council_sizes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="callpage",
            name="min_reviewers",
            field=models.PositiveSmallIntegerField(
                default=7,
                help_text=(
                    "Council size (7–9 members, Circular 20/2023): a chair, a vice-chair, a "
                    "scientific secretary, two critics and the members. A review needs two "
                    "thirds of them."
                ),
                validators=[
                    django.core.validators.MinValueValidator(7),
                    django.core.validators.MaxValueValidator(9),
                ],
                verbose_name="council size",
            ),
        ),
        migrations.AddConstraint(
            model_name="callpage",
            constraint=models.CheckConstraint(
                condition=models.Q(("min_reviewers__gte", 7), ("min_reviewers__lte", 9)),
                name="council_of_seven_to_nine",
            ),
        ),
    ]
