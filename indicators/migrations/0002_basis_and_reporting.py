"""The basis (reported figures only, or every figure) and the reporting indicators, in every snapshot.

The stored target snapshots and roll-ups were computed before the basis
existed, from every figure, with the required rate counted from the figure's
date: they are not what either basis gives, so they are dropped with the runs
that recorded them, and `manage.py recompute_indicators` (nightly, or
`--from ... --every week` for the history) computes them again on both bases.
Milestone snapshots keep their rows, as the reported basis: their numbers are
the same on both bases, and the forecast each one recorded is the milestone
trend analysis. (A recompute stores the illustrative basis only for a date on
which an illustrative figure stood; reads of it fall back to the reported rows
otherwise.)
"""

import datetime

from django.db import migrations, models

BASES = [("reported", "reported figures only"), ("illustrative", "illustrative: made-up figures included")]


def forget_what_the_old_rules_computed(apps, schema_editor):
    for name in ("TargetSnapshot", "RollupSnapshot", "RecomputeRun"):
        apps.get_model("indicators", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [
        migrations.RunPython(forget_what_the_old_rules_computed, migrations.RunPython.noop),
        migrations.AlterModelOptions(name="milestonesnapshot", options={"ordering": ["milestone", "as_of", "basis"]}),
        migrations.AlterModelOptions(
            name="rollupsnapshot", options={"ordering": ["as_of", "basis", "scope", "scope_key"]}
        ),
        migrations.AlterModelOptions(name="targetsnapshot", options={"ordering": ["target", "as_of", "basis"]}),
        migrations.RemoveConstraint(model_name="milestonesnapshot", name="indicators_milestonesnapshot_one_per_date"),
        migrations.RemoveConstraint(model_name="rollupsnapshot", name="indicators_rollupsnapshot_one_per_scope_date"),
        migrations.RemoveConstraint(model_name="targetsnapshot", name="indicators_targetsnapshot_one_per_date"),
        migrations.AddField(
            model_name="milestonesnapshot",
            name="basis",
            field=models.CharField(choices=BASES, default="reported", max_length=12),
        ),
        migrations.AddField(
            model_name="rollupsnapshot",
            name="basis",
            field=models.CharField(choices=BASES, default="reported", max_length=12),
        ),
        migrations.AddField(model_name="rollupsnapshot", name="reporting_coverage", field=models.FloatField(null=True)),
        migrations.AddField(
            model_name="rollupsnapshot", name="targets_reporting_overdue", field=models.IntegerField(default=0)
        ),
        migrations.AddField(
            model_name="rollupsnapshot", name="median_reporting_overdue_days", field=models.FloatField(null=True)
        ),
        migrations.AddField(
            model_name="rollupsnapshot", name="max_reporting_overdue_days", field=models.IntegerField(null=True)
        ),
        migrations.AddField(
            model_name="targetsnapshot",
            name="basis",
            field=models.CharField(choices=BASES, default="reported", max_length=12),
        ),
        migrations.AddField(model_name="targetsnapshot", name="last_reported_on", field=models.DateField(null=True)),
        # The table is empty by now: the default only satisfies NOT NULL while the column is added.
        migrations.AddField(
            model_name="targetsnapshot",
            name="report_due_on",
            field=models.DateField(default=datetime.date(2000, 1, 1)),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="targetsnapshot", name="reporting_overdue_days", field=models.IntegerField(default=0)
        ),
        migrations.AddConstraint(
            model_name="milestonesnapshot",
            constraint=models.UniqueConstraint(
                fields=("milestone", "as_of", "basis"), name="indicators_milestonesnapshot_one_per_date"
            ),
        ),
        migrations.AddConstraint(
            model_name="rollupsnapshot",
            constraint=models.UniqueConstraint(
                fields=("as_of", "basis", "scope", "scope_key", "window"),
                name="indicators_rollupsnapshot_one_per_scope_date",
            ),
        ),
        migrations.AddConstraint(
            model_name="targetsnapshot",
            constraint=models.UniqueConstraint(
                fields=("target", "as_of", "basis"), name="indicators_targetsnapshot_one_per_date"
            ),
        ),
    ]
