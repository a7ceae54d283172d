"""Take over the stored indicators from the `pillars` app, keeping every row.

1. State only: the four models, as they stood in `pillars` (tables, indexes and
   constraints named `pillars_*`).
2. Rename the tables, the indexes and the unique constraints to `indicators_*`
   (PostgreSQL renames them in place, without rebuilding an index).
3. Move the content types, so that permissions (the Editors group's view
   rights) and admin log entries follow the models.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["targetsnapshot", "milestonesnapshot", "rollupsnapshot", "recomputerun"]
# (model, field names, constraint name suffix) of the unique constraints.
UNIQUE = [
    ("targetsnapshot", ("target", "as_of"), "one_per_date"),
    ("milestonesnapshot", ("milestone", "as_of"), "one_per_date"),
    ("rollupsnapshot", ("as_of", "scope", "scope_key", "window"), "one_per_scope_date"),
]
INDEXES = [
    ("recomputerun", "pillars_run_scope_asof", "indicators_run_scope_asof"),
    ("targetsnapshot", "pillars_tsnap_asof_status", "indicators_tsnap_asof_status"),
    ("milestonesnapshot", "pillars_msnap_asof_status", "indicators_msnap_asof_status"),
]


def _unique(fields, app_label, model, suffix):
    return models.UniqueConstraint(fields=fields, name=f"{app_label}_{model}_{suffix}")


def rename_constraints(apps, schema_editor, old="pillars", new="indicators"):
    # SQLite keeps a unique constraint inside the table's definition, which Django rebuilds from the
    # migration state whenever it alters the table: its name there is never looked up, so it can wait.
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, fields, suffix in UNIQUE:
        table = schema_editor.quote_name(apps.get_model("indicators", model_name)._meta.db_table)
        before, after = _unique(fields, old, model_name, suffix), _unique(fields, new, model_name, suffix)
        # Also renames the index behind the constraint; nothing is rebuilt.
        schema_editor.execute(
            f"ALTER TABLE {table} RENAME CONSTRAINT "
            f"{schema_editor.quote_name(before.name)} TO {schema_editor.quote_name(after.name)}"
        )


def rename_constraints_back(apps, schema_editor):
    rename_constraints(apps, schema_editor, old="indicators", new="pillars")


def move_content_types(apps, schema_editor, old="pillars", new="indicators"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label=old, model__in=MOVED).update(
        app_label=new
    )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="indicators", new="pillars")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("pillars", "0004_indicators_move_to_their_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecomputeRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("as_of", models.DateField()),
                        ("scope", models.CharField(choices=[("full", "everything"), ("items", "the items one edit touched")], max_length=8)),
                        ("target_count", models.PositiveIntegerField(default=0)),
                        ("milestone_count", models.PositiveIntegerField(default=0)),
                        ("started_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "pillars_recomputerun",
                        "ordering": ["-finished_at"],
                        "indexes": [models.Index(fields=["scope", "as_of"], name="pillars_run_scope_asof")],
                    },
                ),
                migrations.CreateModel(
                    name="RollupSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("as_of", models.DateField()),
                        ("scope", models.CharField(choices=[("policy", "whole policy"), ("pillar", "pillar"), ("hub", "hub")], max_length=8)),
                        ("scope_key", models.CharField(blank=True, max_length=80)),
                        ("window", models.CharField(default="all", max_length=24)),
                        ("targets", models.JSONField(default=dict)),
                        ("milestones", models.JSONField(default=dict)),
                        ("median_slip_days", models.FloatField(null=True)),
                        ("max_slip_days", models.IntegerField(null=True)),
                        ("on_schedule_share", models.FloatField(null=True)),
                        ("computed_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "pillars_rollupsnapshot",
                        "ordering": ["as_of", "scope", "scope_key"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("as_of", "scope", "scope_key", "window"),
                                name="pillars_rollupsnapshot_one_per_scope_date",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TargetSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("as_of", models.DateField()),
                        ("status", models.CharField(choices=[("achieved", "achieved"), ("no_data", "no data"), ("missed", "missed"), ("on_track", "on track"), ("at_risk", "at risk"), ("off_track", "off track")], max_length=10)),
                        ("progress", models.FloatField(null=True)),
                        ("planned_progress", models.FloatField(null=True)),
                        ("actual_value", models.FloatField(null=True)),
                        ("evaluation_date", models.DateField(null=True)),
                        ("earned_schedule", models.DateField(null=True)),
                        ("slip_days", models.IntegerField(null=True)),
                        ("spi", models.FloatField(null=True)),
                        ("forecast_completion", models.DateField(null=True)),
                        ("forecast_slip_days", models.IntegerField(null=True)),
                        ("required_rate", models.FloatField(null=True)),
                        ("required_rate_per_year", models.FloatField(null=True)),
                        ("staleness_days", models.IntegerField(null=True)),
                        ("stale", models.BooleanField(default=False)),
                        ("computed_at", models.DateTimeField()),
                        ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="snapshots", to="pillars.target")),
                    ],
                    options={
                        "db_table": "pillars_targetsnapshot",
                        "ordering": ["target", "as_of"],
                        "indexes": [models.Index(fields=["as_of", "status"], name="pillars_tsnap_asof_status")],
                        "constraints": [
                            models.UniqueConstraint(fields=("target", "as_of"), name="pillars_targetsnapshot_one_per_date")
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="MilestoneSnapshot",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("as_of", models.DateField()),
                        ("status", models.CharField(choices=[("cancelled", "cancelled"), ("completed", "completed"), ("overdue", "overdue"), ("at_risk", "at risk"), ("on_track", "on track")], max_length=10)),
                        ("expected_date", models.DateField(null=True)),
                        ("slip_days", models.IntegerField(null=True)),
                        ("forecast_due_date", models.DateField(null=True)),
                        ("computed_at", models.DateTimeField()),
                        ("milestone", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="snapshots", to="pillars.milestone")),
                    ],
                    options={
                        "db_table": "pillars_milestonesnapshot",
                        "ordering": ["milestone", "as_of"],
                        "indexes": [models.Index(fields=["as_of", "status"], name="pillars_msnap_asof_status")],
                        "constraints": [
                            models.UniqueConstraint(fields=("milestone", "as_of"), name="pillars_milestonesnapshot_one_per_date")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        *[migrations.AlterModelTable(name=model, table=None) for model in MOVED],
        *[migrations.RenameIndex(model, new_name=new, old_name=old) for model, old, new in INDEXES],
        migrations.SeparateDatabaseAndState(
            state_operations=[
                operation
                for model, fields, suffix in UNIQUE
                for operation in (
                    migrations.RemoveConstraint(model, f"pillars_{model}_{suffix}"),
                    migrations.AddConstraint(model, _unique(fields, "indicators", model, suffix)),
                )
            ],
            database_operations=[migrations.RunPython(rename_constraints, rename_constraints_back)],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
