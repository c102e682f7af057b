from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

ROLES = ("researcher", "business", "reviewer", "officer", "manager")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
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
            options={"verbose_name": "role change", "verbose_name_plural": "role changes", "ordering": ["-changed_at"]},
        ),
    ]
