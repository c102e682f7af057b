"""The contract moves from `grants` to `projects` with its rows: first `projects` takes over
the model as it was (same table), then 0002 gives it its own table and its new shape."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("grants", "0007_assignment_invited_by"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Contract",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("number", models.CharField(blank=True, max_length=40, verbose_name="contract number")),
                        ("signed_on", models.DateField(blank=True, null=True, verbose_name="signed on")),
                        ("starts_on", models.DateField(blank=True, null=True, verbose_name="starts on")),
                        ("ends_on", models.DateField(blank=True, null=True, verbose_name="ends on")),
                        ("tranches", models.JSONField(blank=True, default=list, verbose_name="tranche schedule")),
                        ("proposal", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="contract", to="grants.proposal")),
                    ],
                    options={"db_table": "grants_contract"},
                ),
            ],
            database_operations=[],
        ),
    ]
