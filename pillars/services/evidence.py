"""Evidence of a milestone's progress: checking what an editor gives, and recording it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core.validators import validate_uri
from sources.models import Source

from .. import validation
from ..models import Milestone, MilestoneEvidence
from .common import (
    User,
    author_of,
    clean_errors,
    history_reason,
    history_user,
    merge_errors,
    raise_errors,
    record_reason,
)


def evidence_problems(*, evidence_url: str = "", evidence_document: Any = None) -> dict[str, list[str]]:
    """The problems with the evidence an editor gives (an address, a document), by field."""
    errors: dict[str, list[str]] = {}
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            errors["evidence_url"] = [_("Enter the full address of the source, starting with https://.")]
        else:
            try:
                validate_uri(evidence_url)  # as the Source it becomes must be (RFC 3986: no `"<> {}|\^`)
            except ValidationError as error:
                errors["evidence_url"] = error.messages
        if len(evidence_url) > 500:
            errors.setdefault("evidence_url", []).append(_("The address is longer than 500 characters."))
    if evidence_document is not None:
        problems = validation.evidence_document_errors(
            name=evidence_document.name,
            size=evidence_document.size,
            max_bytes=settings.EVIDENCE_MAX_BYTES,
            head=document_head(evidence_document),
        )
        if problems:
            errors["evidence_document"] = problems
    return errors


def document_head(document: Any) -> bytes:
    """The first bytes of an uploaded file, for `validation.evidence_document_errors`; the file is left unread."""
    position = document.tell() if hasattr(document, "tell") else 0
    try:
        document.seek(0)
        head: bytes = document.read(validation.EVIDENCE_HEAD_BYTES)
    finally:
        document.seek(position)
    return head


def source_for_url(*, url: str) -> Source:
    """The source at an address, created (titled by its address) when it is new."""
    host = urlsplit(url).hostname or ""
    source, _created = Source.objects.get_or_create(
        url=url, defaults={"title": url[:300], "outlet": host.removeprefix("www.")[:120]}
    )
    return source


def evidence_record(
    *,
    milestone: Milestone,
    changes: Sequence[validation.MilestoneChange],
    today: dt.date,
    summary: str,
    evidence_url: str,
    evidence_document: Any,
    user: User,
) -> MilestoneEvidence:
    kind = validation.evidence_kind_for(changes)
    day = {"completion": milestone.completed_on, "cancellation": milestone.cancelled_on}.get(kind) or today
    source = source_for_url(url=evidence_url) if evidence_url else None
    evidence = MilestoneEvidence(
        milestone=milestone,
        date=day,
        kind=kind,
        summary=summary or _("Evidence added."),
        source=source,
        created_by=author_of(user),
    )
    if evidence_document is not None:
        evidence.document = evidence_document
    history_user(evidence, user)
    history_reason(evidence, summary)
    evidence.save()
    if source is not None:
        milestone.sources.add(source)
    return evidence


def evidence_save(*, evidence: MilestoneEvidence, user: User = None, reason: str = "") -> MilestoneEvidence:
    """Validate and save a piece of evidence entered on its own (the admin's evidence pages and inlines).

    The document is checked with the rules every other way in uses (type and
    size, `evidence_problems`); a new entry records who entered it.
    """
    errors = clean_errors(evidence)
    document = evidence.document
    if document and not getattr(document, "_committed", True):  # a new upload, not the stored file
        merge_errors(errors, evidence_problems(evidence_document=document))
    raise_errors(errors)
    if evidence.pk is None and evidence.created_by_id is None:
        evidence.created_by = author_of(user)
    history_user(evidence, user)
    evidence.save()
    record_reason(evidence, reason)
    return evidence


def evidence_delete(*, evidence: MilestoneEvidence, user: User = None, reason: str = "") -> None:
    """Remove a mistaken piece of evidence; its history keeps who removed it and why."""
    history_user(evidence, user)
    history_reason(evidence, reason)
    evidence.delete()
