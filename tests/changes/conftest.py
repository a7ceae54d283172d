"""Fixtures of the tests of the public record of changes (`changes`)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from tests.factories import EditorFactory, SuperuserFactory

from .helpers import Mixed, build_mixed


@pytest.fixture(autouse=True)
def _import_staging(settings: Any, tmp_path: Any) -> None:
    """Imports stage their files in a throw-away folder."""
    settings.IMPORT_STAGING_DIR = tmp_path / "imports"


@pytest.fixture
def editor(db: None) -> User:
    user: User = EditorFactory()
    return user


@pytest.fixture
def superuser(db: None) -> User:
    user: User = SuperuserFactory()
    return user


@pytest.fixture
def mixed(editor: User, superuser: User) -> Mixed:
    return build_mixed(editor, superuser)
