"""Writing the public record: each historical record of a published model says what change it is.

Connected to django-simple-history's `pre_create_historical_record` (every
save through the ORM, whatever the path: admin, API, import, loader), so that
no change escapes it. Bulk writes, which send no such signal, get the same
columns from `bulk_attrs` (creations) or are written one by one (updates).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from simple_history.signals import pre_create_historical_record

from .choices import Role
from .classify import COLUMNS, classify

#: The models whose history is the public record (labels of the tracked models).
RECORDED = tuple(COLUMNS)


def role_of(user: Any) -> Role:
    """The role readers see instead of a name: the loader and scripts are "data load"."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Role.DATA_LOAD
    if user.is_superuser:
        return Role.ADMINISTRATOR
    if any(group.name == settings.EDITORS_GROUP_NAME for group in user.groups.all()):  # prefetched where many
        return Role.EDITOR
    return Role.STAFF


def _classify_record(sender: Any, instance: models.Model, history_instance: Any, **kwargs: Any) -> None:
    label = instance._meta.label_lower
    if label not in COLUMNS:
        return
    columns = COLUMNS[label]
    before = None
    if history_instance.history_type != "+":
        before = sender.objects.filter(id=instance.pk).order_by("-history_date", "-history_id").values(*columns).first()
    after = {name: getattr(history_instance, name) for name in columns}
    change = classify(label, history_instance.history_type, before, after)
    if change is None:
        return
    history_instance.change_kind = change.kind.value
    history_instance.change_field = change.field
    history_instance.change_old = change.old
    history_instance.change_role = role_of(history_instance.history_user).value


def bulk_attrs(*, model: type[models.Model], history_type: str, user: Any) -> dict[str, Any]:
    """The public-record columns of records bulk-created with `bulk_create_with_history` (additions only)."""
    change = classify(model._meta.label_lower, history_type, None, {})
    if change is None:
        return {}
    return {
        "change_kind": change.kind.value,
        "change_field": change.field,
        "change_old": change.old,
        "change_role": role_of(user).value,
    }


def record_evidence(instance: models.Model, evidence: str) -> None:
    """Attach the evidence given with an edit to its (latest) historical record."""
    if not evidence:
        return
    history = instance.history  # type: ignore[attr-defined]  # simple-history's manager
    latest = history.order_by("-history_date", "-history_id").values_list("history_id", flat=True).first()
    if latest is not None:
        history.filter(history_id=latest).update(change_evidence=evidence[:500])


def connect() -> None:
    pre_create_historical_record.connect(_classify_record, dispatch_uid="changes:classify")
