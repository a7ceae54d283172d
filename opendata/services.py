"""Building the data package (the only writes of this app): called by the Celery task, never by a request."""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from core.versioning import data_version

from . import package
from .models import DataPackage

logger = logging.getLogger(__name__)


def package_directory() -> Path:
    directory = Path(settings.OPENDATA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def package_path(as_of: dt.date) -> Path:
    return package_directory() / f"datapackage-{as_of.isoformat()}.zip"


def _context() -> dict[str, object]:
    """The serializers' context: a request for the portal's address, so that document links are absolute."""
    base = settings.PORTAL_BASE_URL or "http://localhost"
    scheme, _, host = base.partition("://")
    request = RequestFactory().get("/", HTTP_HOST=host.rstrip("/") or "localhost", secure=scheme == "https")
    return {"request": request}


def package_build(*, as_of: dt.date, force: bool = False) -> DataPackage | None:
    """Build the package of `as_of` unless the stored one holds the current data version; the row, or None if skipped.

    The version is read before the build: an edit during the build moves it, so
    the next build (the edit's recompute sends one) is not skipped.
    """
    version = int(data_version())
    stored = DataPackage.objects.filter(as_of=as_of).first()
    path = package_path(as_of)
    if not force and stored is not None and stored.data_version == version and path.exists():
        return None
    started = time.monotonic()
    built_at = timezone.now()
    size, sha256 = package.write(as_of=as_of, destination=path, built_at=built_at, context=_context())
    seconds = time.monotonic() - started
    with transaction.atomic():
        row, _created = DataPackage.objects.update_or_create(
            as_of=as_of,
            defaults={
                "data_version": version,
                "built_at": built_at,
                "file": path.name,
                "size": size,
                "sha256": sha256,
                "seconds": seconds,
            },
        )
    logger.info("Built the data package as of %s: %d bytes in %.1f s.", as_of, size, seconds)
    return row


def packages_prune(*, keep_dates: int) -> int:
    """Remove the packages of past dates beyond the `keep_dates` most recently built (today's always stays)."""
    today = timezone.localdate()
    old = list(DataPackage.objects.exclude(as_of=today).order_by("-built_at")[keep_dates:])
    for row in old:
        (package_directory() / row.file).unlink(missing_ok=True)
        row.delete()
    return len(old)
