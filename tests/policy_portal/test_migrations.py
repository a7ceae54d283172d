"""Every model change has its migration."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


def test_no_model_change_lacks_a_migration(db: None) -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:  # `--check` exits 1 when a migration is missing
        pytest.fail(f"makemigrations --check found model changes without migrations:\n{out.getvalue()}")
