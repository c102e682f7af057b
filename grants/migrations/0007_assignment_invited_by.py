"""Who seated each council member (four-eyes: grants.rules.prepared_by).

Existing seats stay null: no record tells who invited a member (seating writes no audit entry;
the trail records only who started and closed the review, and prepared_by reads those itself).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0006_appraisal_and_decisions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reviewassignment',
            name='invited_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by'),
        ),
    ]
