"""RoleChange now belongs to `core` (same table, same rows): portal forgets it in its state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RoleChange")],
            database_operations=[],
        ),
    ]
