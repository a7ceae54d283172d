"""What the historical tables of the published records carry beside django-simple-history's own columns.

Each historical record of a published model (figures, targets, milestones,
incentives) also says, when it is a change readers must see, what kind of
change it is, which field it changed, the earlier value, the role of whoever
made it and the evidence given. `changes.record` fills these columns as the
record is written; `changes.selectors` reads them for `/changes/`, its API and
the feed. The audit trail stays the one simple-history keeps: these columns
only classify its rows, so that the public record is an indexed read.
"""

from __future__ import annotations

from django.db import models


class PublicChange(models.Model):
    """Columns added to a historical model (`HistoricalRecords(bases=[PublicChange])`)."""

    #: A `changes.choices.ChangeKind`; empty when the record is no public change (say, a note edited).
    change_kind = models.CharField(max_length=24, blank=True, default="", db_index=True)
    #: The field the change is about; its new value is the record's own column of that name.
    change_field = models.CharField(max_length=40, blank=True, default="")
    #: The field's earlier value, as JSON (a number, an ISO date, a boolean or text); null for an addition.
    change_old = models.JSONField(null=True, blank=True)
    #: Who made it, as a role ("editor", "administrator", "data load"): readers see no names.
    change_role = models.CharField(max_length=24, blank=True, default="")
    #: The address of the evidence given with it, when the record itself does not hold one.
    change_evidence = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        abstract = True


class DataVersion(models.Model):
    """The one row whose `version` moves with every committed write of the data or the indicators.

    It lives in the database, not in the cache, so that it commits (or rolls
    back) with the write itself: whatever happens to Redis, a reader never
    gets an ETag, a 304 or a stored representation from before the last
    committed edit (`core.versioning`).
    """

    #: Always 1: there is one version of the data.
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"data version {self.version}"


class Revisioned(models.Model):
    """A record editors change: its `revision` counts the saves, so that a save based on a stale copy is refused.

    The services claim the next revision under a row lock (`core.records.claim_revision`):
    a copy whose revision is no longer the stored one was changed by someone else since
    it was read, and saving it would silently revert their change (a lost update). The
    admin carries the revision in its form; the API's ETag carries it for `If-Match`.
    """

    revision = models.PositiveIntegerField(
        default=1, editable=False, help_text="How many times the record has been saved; a stale copy is refused."
    )

    class Meta:
        abstract = True
