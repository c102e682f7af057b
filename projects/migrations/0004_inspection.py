"""The annual inspections (Circular 04/2015): the table, and for every contract already signed
the inspections its dates call for (new contracts get theirs when they are signed)."""

import calendar
import datetime

import django.db.models.deletion
import projects.models
from django.conf import settings
from django.db import migrations, models


def _add_months(day, months):
    # projects.workflow.add_months, frozen here as it was when this migration was written.
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def schedule_signed_contracts(apps, schema_editor):
    """projects.inspection.inspection_years for each signed contract without inspections."""
    Contract = apps.get_model("projects", "Contract")
    Inspection = apps.get_model("projects", "Inspection")
    rows = []
    contracts = Contract.objects.filter(
        signed_at__isnull=False, starts_on__isnull=False, ends_on__isnull=False
    ).exclude(inspections__isnull=False)
    for contract in contracts.iterator():
        number, begin = 1, contract.starts_on
        while begin <= contract.ends_on:
            end = min(
                _add_months(contract.starts_on, 12 * number) - datetime.timedelta(days=1),
                contract.ends_on,
            )
            rows.append(
                Inspection(
                    contract_id=contract.pk, year=number, period_start=begin, period_end=end,
                    due_on=end,
                )
            )
            number, begin = number + 1, end + datetime.timedelta(days=1)
    Inspection.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0003_acceptance'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Inspection',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='contract year')),
                ('period_start', models.DateField(verbose_name='year from')),
                ('period_end', models.DateField(verbose_name='year to')),
                ('due_on', models.DateField(verbose_name='due date')),
                ('inspected_on', models.DateField(blank=True, null=True, verbose_name='inspection date')),
                ('findings', models.TextField(blank=True, max_length=20000, verbose_name='findings')),
                ('conclusion', models.CharField(blank=True, choices=[('on_track', 'On track'), ('behind', 'Behind schedule'), ('serious', 'Serious problems')], max_length=10, verbose_name='conclusion')),
                ('recommendations', models.TextField(blank=True, max_length=10000, verbose_name='recommendations')),
                ('recorded_at', models.DateTimeField(blank=True, null=True, verbose_name='recorded at')),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inspections', to='projects.contract')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'inspection',
                'verbose_name_plural': 'inspections',
                'ordering': ['contract', 'year'],
            },
        ),
        migrations.CreateModel(
            name='InspectionAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=100)),
                ('extension', models.CharField(max_length=8)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('label', models.CharField(max_length=200, verbose_name='description')),
                ('file', models.FileField(max_length=200, storage=projects.models.private_storage, upload_to=projects.models.inspection_file_path)),
                ('sha256', models.CharField(max_length=64)),
                ('inspection', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='attachment', to='projects.inspection')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.AddIndex(
            model_name='inspection',
            index=models.Index(condition=models.Q(('recorded_at__isnull', True)), fields=['due_on'], name='inspection_open_due'),
        ),
        migrations.AddConstraint(
            model_name='inspection',
            constraint=models.UniqueConstraint(fields=('contract', 'year'), name='one_inspection_per_year'),
        ),
        migrations.RunPython(schedule_signed_contracts, migrations.RunPython.noop),
    ]
