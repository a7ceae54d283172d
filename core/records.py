"""What every app's services share: the model's own validation, and the history's who and why.

Every write in the portal goes through a service of the app that owns the
model (`pillars.services`, `hubs.services`, ...). Records with no rules of
their own beyond their model's validation (a hub, an incentive, a source, a
pillar) are written by `record_save` and `record_delete`; the others build on
the same helpers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from simple_history.utils import update_change_reason

from .models import Revisioned

User = AbstractBaseUser | AnonymousUser | None
Errors = dict[str, list[str]]
R = TypeVar("R", bound=models.Model)


def clean_errors(instance: models.Model) -> Errors:
    """Run the model's own validation (fields, constraints and `clean()`), returning the errors by field."""
    try:
        instance.full_clean(exclude=[f.name for f in instance._meta.many_to_many])
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}


def raise_errors(errors: Errors) -> None:
    """Refuse the write with every message, by field (nothing has been written yet)."""
    if errors:
        raise ValidationError(errors)


def merge_errors(errors: Errors, more: Errors) -> Errors:
    """Add `more` to `errors`, field by field."""
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)
    return errors


def is_person(user: User) -> bool:
    """An edit made by someone signed in (admin, API, import), as opposed to the loader or a script.

    The editorial rules (reasons, evidence, locked baselines, figures out of
    line) bind people; the loader writes the policy text itself, with its own
    checks, and a script's author has more rights than any superuser anyway.
    """
    return user is not None and bool(getattr(user, "is_authenticated", False))


def author_of(user: User) -> Any:
    """The user to record as author on a row (None for the loader and scripts)."""
    return user if is_person(user) else None


def history_user(instance: models.Model, user: User) -> None:
    """Who to record in the history of the next save or delete of `instance`.

    django-simple-history reads `_history_user` when its request middleware is
    not there (API token, import, shell).
    """
    if is_person(user):
        instance._history_user = user  # type: ignore[attr-defined]


def history_reason(instance: models.Model, reason: str) -> None:
    """The "why" django-simple-history records with the next save or delete of `instance`."""
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history as it saves


def record_reason(instance: models.Model, reason: str) -> None:
    """The "why" of the latest history record of `instance` (shown to readers and in the audit trail)."""
    if reason:
        update_change_reason(instance, reason)


class StaleCopy(ValidationError):
    """A save based on a copy of a record that someone else has changed since it was read."""

    def __init__(self, instance: models.Model, stored_revision: int) -> None:
        self.stored_revision = stored_revision
        super().__init__(
            _(
                "This %(item)s was changed by someone else since you opened it (it is at revision %(stored)s, "
                "your copy at %(yours)s). Reload it and make your change again."
            )
            % {"item": instance._meta.verbose_name, "stored": stored_revision, "yours": _revision(instance)},
            code="stale",
        )


def _revision(instance: models.Model) -> int:
    revision: int = getattr(instance, "revision", 0)
    return revision


def claim_revision(instance: models.Model) -> None:
    """Lock the stored row and move `instance` to its next revision; refuse a copy older than the stored one.

    Call it inside the saving transaction, right before `save()`. The row lock
    (`SELECT ... FOR UPDATE`) makes a second save of the same row wait for the
    first to commit, so two saves of one copy cannot both pass: the second
    then finds the revision moved and is refused with `StaleCopy`.
    """
    if instance.pk is None or not isinstance(instance, Revisioned):
        return
    stored = (
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).values_list("revision", flat=True)
    ).first()
    if stored is None:
        return
    if instance.revision != stored:
        raise StaleCopy(instance, stored)
    instance.revision = stored + 1


@transaction.atomic
def record_save(
    *, instance: R, user: User = None, reason: str = "", m2m: Mapping[str, Iterable[Any]] | None = None
) -> R:
    """Validate and save a plain record and, when given, its many-to-many links (by field name)."""
    raise_errors(clean_errors(instance))
    history_user(instance, user)
    history_reason(instance, reason)
    claim_revision(instance)
    instance.save()
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    return instance


@transaction.atomic
def record_delete(*, instance: models.Model, user: User = None, reason: str = "") -> None:
    """Delete a plain record; its history (when it has one) keeps who deleted it and why."""
    history_user(instance, user)
    history_reason(instance, reason)
    instance.delete()
