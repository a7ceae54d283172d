"""Classify the historical records written before the public record existed (and the evidence given with them).

From now on `changes.record` classifies each record as it is written; this
walks the older ones once, each compared with the record before it, with the
same pure function. Milestone evidence recorded with an edit (in the same
transaction, so within a minute of it) becomes the record's evidence.
"""

from django.conf import settings
from django.db import migrations

from changes.classify import COLUMNS, classify

HISTORY_MODELS = {
    "pillars.measurement": ("pillars", "HistoricalMeasurement"),
    "pillars.milestone": ("pillars", "HistoricalMilestone"),
    "pillars.target": ("pillars", "HistoricalTarget"),
    "incentives.incentive": ("incentives", "HistoricalIncentive"),
}
EVIDENCE_KINDS = {"forecast_moved", "completed", "cancelled", "reopened"}


def _roles(apps):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    roles = {}
    for user in User.objects.prefetch_related("groups"):
        if user.is_superuser:
            roles[user.pk] = "administrator"
        elif any(g.name == settings.EDITORS_GROUP_NAME for g in user.groups.all()):
            roles[user.pk] = "editor"
        else:
            roles[user.pk] = "staff"
    return roles


def classify_history(apps, schema_editor):
    roles = _roles(apps)
    Evidence = apps.get_model("pillars", "MilestoneEvidence")
    for label, (app_label, name) in HISTORY_MODELS.items():
        History = apps.get_model(app_label, name)
        columns = COLUMNS[label]
        previous = {}
        changed = []
        rows = History.objects.order_by("id", "history_date", "history_id")
        for row in rows.iterator(chunk_size=5_000):
            after = {c: getattr(row, c) for c in columns}
            change = classify(label, row.history_type, previous.get(row.id), after)
            previous[row.id] = after
            if change is None:
                continue
            row.change_kind, row.change_field, row.change_old = change.kind.value, change.field, change.old
            row.change_role = roles.get(row.history_user_id, "data load")
            if label == "pillars.milestone" and row.change_kind in EVIDENCE_KINDS:
                for evidence in Evidence.objects.filter(milestone_id=row.id).select_related("source"):
                    if abs((evidence.created_at - row.history_date).total_seconds()) < 60:
                        row.change_evidence = (evidence.source.url if evidence.source else evidence.document.name)[:500]
                        break
            changed.append(row)
        History.objects.bulk_update(
            changed, ["change_kind", "change_field", "change_old", "change_role", "change_evidence"], batch_size=2_000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pillars", "0006_history_public_change"),
        ("incentives", "0002_history_public_change"),
    ]

    operations = [migrations.RunPython(classify_history, migrations.RunPython.noop)]
