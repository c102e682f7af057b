"""The contract now belongs to `projects` (projects 0001 takes the table and its rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0007_assignment_invited_by"),
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Contract")],
            database_operations=[],
        ),
    ]
