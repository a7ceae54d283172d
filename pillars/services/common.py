"""What the services of the commitments share: publication of what the loader creates, locked baselines.

The helpers every app's services use (validation, the history's who and why)
are in `core.records`; they are re-exported here for this package's modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.records import (
    User,
    author_of,
    claim_revision,
    clean_errors,
    history_reason,
    history_user,
    is_person,
    merge_errors,
    raise_errors,
    record_reason,
)

from .. import validation
from ..models import Milestone, Target

__all__ = [
    "User",
    "author_of",
    "claim_revision",
    "clean_errors",
    "history_reason",
    "history_user",
    "is_person",
    "lock_errors",
    "merge_errors",
    "publish_system_creation",
    "raise_errors",
    "record_reason",
]


def publish_system_creation(instance: Target | Milestone, user: User, sources: Iterable[Any] | None = None) -> None:
    """Items the loader or a script creates are the policy's own promises: published (locked) from the start.

    Published on the date the promise became public by the record: the earliest date among its sources, else
    the policy's approval (every promise of the policy was made by then), and only without either, today. It
    was always today, so every item loaded from the policy said it was published on the day of the load.

    An editor's new item stays a draft, whose baseline can still be corrected, until it is published.
    """
    if instance.pk is None and instance.published_on is None and not is_person(user):
        dates = [source.published_on for source in sources or () if source.published_on is not None]
        approved = instance.policy.approved_on if instance.policy_id is not None else None
        instance.published_on = min(dates) if dates else approved or timezone.localdate()


def lock_errors(instance: Target | Milestone, fields: Sequence[str]) -> dict[str, list[str]]:
    """A published item's baseline fields, and its publication, cannot be changed by an edit (only re-baselined)."""
    if instance.pk is None:
        return {}
    stored = type(instance).objects.filter(pk=instance.pk).values(*fields, "published_on").first()
    if stored is None or stored["published_on"] is None:
        return {}
    changed = [field for field in fields if getattr(instance, field) != stored[field]]
    errors = validation.locked_baseline_errors(changed=changed, published_on=stored["published_on"])
    if instance.published_on != stored["published_on"]:
        errors["published_on"] = [_("A published item stays published; a superuser can re-baseline it.")]
    return errors
