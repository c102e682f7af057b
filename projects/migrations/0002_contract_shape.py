"""The contract's own shape: parties, money, tranche rows (from the old JSON schedule),
deliverables, reports, change requests and the project trail; its own table."""

import django.db.models.deletion
import django.utils.timezone
import django_fsm
import projects.models
from django.conf import settings
from django.db import migrations, models


def schedule_to_rows(apps, schema_editor):
    """Each old contract keeps its dates and amounts: its JSON schedule becomes tranche rows,
    the proposal's approved amount its own, the first tranche released on signing."""
    import datetime

    Contract = apps.get_model("projects", "Contract")
    Tranche = apps.get_model("projects", "Tranche")
    for contract in Contract.objects.select_related("proposal"):
        proposal = contract.proposal
        contract.approved_amount = proposal.approved_amount or 0
        contract.original_ends_on = contract.ends_on
        for position, row in enumerate(contract.old_schedule or [], start=1):
            if not isinstance(row, dict) or not isinstance(row.get("amount"), int) or row["amount"] <= 0:
                continue
            due = datetime.date.fromisoformat(row.get("due_on") or str(contract.starts_on))
            Tranche.objects.create(
                contract=contract, position=position, due_on=due, amount=row["amount"],
                condition="on_signing" if position == 1 else "report_accepted",
                report_number=None if position == 1 else position - 1,
            )
        contract.save()


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0008_contract_to_projects'),
        ('projects', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('extension', 'Extension of the end date'), ('reallocation', 'Budget reallocation between categories'), ('investigator', 'Change of principal investigator')], max_length=14, verbose_name='kind of change')),
                ('state', django_fsm.FSMField(choices=[('requested', 'Requested'), ('approved', 'Approved'), ('refused', 'Refused')], default='requested', max_length=10, verbose_name='state')),
                ('reason', models.TextField(max_length=5000, verbose_name='reason')),
                ('new_ends_on', models.DateField(blank=True, null=True, verbose_name='new end date')),
                ('reallocation', models.JSONField(blank=True, default=dict, verbose_name='reallocation')),
                ('new_investigator', models.CharField(blank=True, max_length=150, verbose_name='new principal investigator')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decision_reason', models.TextField(blank=True, verbose_name='reason for the decision')),
            ],
            options={
                'verbose_name': 'change request',
                'verbose_name_plural': 'change requests',
                'ordering': ['contract', '-requested_at', '-pk'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='Deliverable',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=0)),
                ('name', models.CharField(max_length=300, verbose_name='product')),
                ('quantity_indicator', models.CharField(blank=True, max_length=300, verbose_name='quantity indicator')),
                ('quality_indicator', models.CharField(blank=True, max_length=500, verbose_name='quality indicator')),
            ],
            options={
                'verbose_name': 'deliverable',
                'verbose_name_plural': 'deliverables',
                'ordering': ['contract', 'position', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ProgressReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='report number')),
                ('due_on', models.DateField(verbose_name='due date')),
                ('period_start', models.DateField(verbose_name='period from')),
                ('period_end', models.DateField(verbose_name='period to')),
                ('state', django_fsm.FSMField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('accepted', 'Accepted'), ('returned', 'Returned')], default='draft', max_length=12, verbose_name='state')),
                ('work', models.JSONField(blank=True, default=dict, verbose_name='work done per deliverable')),
                ('spending', models.JSONField(blank=True, default=dict, verbose_name='spending per category')),
                ('problems', models.TextField(blank=True, max_length=10000, verbose_name='problems and proposals')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='submitted at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('return_reason', models.TextField(blank=True, verbose_name='reason for returning')),
                ('overdue_notified_on', models.DateField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'progress report',
                'verbose_name_plural': 'progress reports',
                'ordering': ['contract', 'number'],
            },
            bases=(django_fsm.ConcurrentTransitionMixin, models.Model),
        ),
        migrations.CreateModel(
            name='ProjectEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=40, verbose_name='action')),
                ('record', models.CharField(blank=True, max_length=40, verbose_name='record')),
                ('source', models.CharField(blank=True, max_length=16, verbose_name='from')),
                ('target', models.CharField(blank=True, max_length=16, verbose_name='to')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='at')),
                ('comment', models.TextField(blank=True, verbose_name='comment')),
                ('ip', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                ('data', models.JSONField(blank=True, default=dict)),
            ],
            options={
                'verbose_name': 'project trail entry',
                'verbose_name_plural': 'project trail entries',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='ReportAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=100)),
                ('extension', models.CharField(max_length=8)),
                ('size', models.PositiveIntegerField()),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('label', models.CharField(max_length=200, verbose_name='description')),
                ('file', models.FileField(max_length=200, storage=projects.models.private_storage, upload_to=projects.models.report_file_path)),
                ('sha256', models.CharField(max_length=64)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Tranche',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='tranche')),
                ('due_on', models.DateField(verbose_name='due date')),
                ('amount', models.PositiveBigIntegerField(verbose_name='amount (VND)')),
                ('condition', models.CharField(choices=[('on_signing', 'On signing'), ('report_accepted', 'After progress report N is accepted'), ('acceptance_passed', 'After final acceptance')], default='on_signing', max_length=20, verbose_name='condition')),
                ('report_number', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='report number')),
                ('released_at', models.DateTimeField(blank=True, null=True, verbose_name='released at')),
                ('payment_order_number', models.CharField(blank=True, max_length=40, verbose_name='payment order number')),
                ('payment_order_date', models.DateField(blank=True, null=True, verbose_name='payment order date')),
            ],
            options={
                'verbose_name': 'tranche',
                'verbose_name_plural': 'tranches',
                'ordering': ['contract', 'position'],
            },
        ),
        migrations.AlterModelOptions(
            name='contract',
            options={'verbose_name': 'contract', 'verbose_name_plural': 'contracts'},
        ),
        migrations.RenameField(model_name='contract', old_name='tranches', new_name='old_schedule'),
        migrations.AddField(
            model_name='contract',
            name='approved_amount',
            field=models.PositiveBigIntegerField(default=0, verbose_name='approved amount (VND)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='department_signatory',
            field=models.CharField(blank=True, max_length=150, verbose_name="Department's signatory"),
        ),
        migrations.AddField(
            model_name='contract',
            name='department_signatory_title',
            field=models.CharField(blank=True, max_length=150, verbose_name="signatory's position"),
        ),
        migrations.AddField(
            model_name='contract',
            name='host_representative',
            field=models.CharField(blank=True, max_length=150, verbose_name="host's legal representative"),
        ),
        migrations.AddField(
            model_name='contract',
            name='host_representative_title',
            field=models.CharField(blank=True, max_length=150, verbose_name="representative's position"),
        ),
        migrations.AddField(
            model_name='contract',
            name='original_ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='original end date'),
        ),
        migrations.AddField(
            model_name='contract',
            name='prepared_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='prepared at'),
        ),
        migrations.AddField(
            model_name='contract',
            name='prepared_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='prepared by'),
        ),
        migrations.AddField(
            model_name='contract',
            name='principal_investigator',
            field=models.CharField(blank=True, max_length=150, verbose_name='principal investigator'),
        ),
        migrations.AddField(
            model_name='contract',
            name='released_amount',
            field=models.PositiveBigIntegerField(default=0, verbose_name='released (VND)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='report_every_months',
            field=models.PositiveSmallIntegerField(default=6, verbose_name='progress report every (months)'),
        ),
        migrations.AddField(
            model_name='contract',
            name='signed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signed at'),
        ),
        migrations.AddField(
            model_name='contract',
            name='signed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='ends_on',
            field=models.DateField(blank=True, null=True, verbose_name='end date'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='signed_on',
            field=models.DateField(blank=True, null=True, verbose_name='signing date'),
        ),
        migrations.AlterField(
            model_name='contract',
            name='starts_on',
            field=models.DateField(blank=True, null=True, verbose_name='start date'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.CheckConstraint(condition=models.Q(('released_amount__lte', models.F('approved_amount'))), name='contract_released_within_approved'),
        ),
        migrations.AddConstraint(
            model_name='contract',
            constraint=models.UniqueConstraint(condition=models.Q(('number', ''), _negated=True), fields=('number',), name='contract_number_unique'),
        ),
        migrations.AlterModelTable(
            name='contract',
            table=None,
        ),
        migrations.AddField(
            model_name='changerequest',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='projects.contract'),
        ),
        migrations.AddField(
            model_name='changerequest',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='changerequest',
            name='requested_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='deliverable',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliverables', to='projects.contract'),
        ),
        migrations.AddField(
            model_name='progressreport',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reports', to='projects.contract'),
        ),
        migrations.AddField(
            model_name='progressreport',
            name='decided_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='projectentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='projectentry',
            name='proposal',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='project_entries', to='grants.proposal'),
        ),
        migrations.AddField(
            model_name='reportattachment',
            name='report',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to='projects.progressreport'),
        ),
        migrations.AddField(
            model_name='reportattachment',
            name='uploaded_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='tranche',
            name='contract',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tranches', to='projects.contract'),
        ),
        migrations.AddField(
            model_name='tranche',
            name='released_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='released by'),
        ),
        migrations.AddConstraint(
            model_name='progressreport',
            constraint=models.UniqueConstraint(fields=('contract', 'number'), name='one_report_number'),
        ),
        migrations.AddConstraint(
            model_name='tranche',
            constraint=models.UniqueConstraint(fields=('contract', 'position'), name='one_tranche_position'),
        ),
        migrations.AddConstraint(
            model_name='tranche',
            constraint=models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='tranche_amount_positive'),
        ),
        migrations.AddConstraint(
            model_name='tranche',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('condition', 'report_accepted'), _negated=True), ('report_number__isnull', False), _connector='OR'), name='tranche_report_named'),
        ),
        migrations.RunPython(schedule_to_rows, migrations.RunPython.noop),
        migrations.RemoveField(model_name='contract', name='old_schedule'),
    ]
