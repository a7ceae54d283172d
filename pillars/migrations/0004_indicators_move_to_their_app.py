"""The stored indicators (snapshots, roll-ups, recompute runs) now belong to the `indicators` app.

State only: the tables stay where they are; `indicators.0001_initial` takes
them over (and renames them).
"""

from django.db import migrations

MOVED = ["TargetSnapshot", "MilestoneSnapshot", "RollupSnapshot", "RecomputeRun"]


class Migration(migrations.Migration):
    dependencies = [("pillars", "0003_published_and_rebaseline")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
            database_operations=[],
        )
    ]
