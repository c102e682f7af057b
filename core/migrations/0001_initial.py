"""RoleChange moved from `portal` to `core` without touching its table or rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoleChange",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(max_length=32, verbose_name="role")),
                        ("action", models.CharField(choices=[("grant", "granted"), ("revoke", "revoked")], max_length=8, verbose_name="action")),
                        ("changed_at", models.DateTimeField(auto_now_add=True, verbose_name="changed at")),
                        ("changed_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="role_changes_made", to=settings.AUTH_USER_MODEL, verbose_name="changed by")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="role_changes", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={"verbose_name": "role change", "verbose_name_plural": "role changes", "ordering": ["-changed_at"], "db_table": "portal_rolechange"},
                ),
            ],
            database_operations=[],
        ),
    ]
