"""Reading the built data packages (for the /data/ page and the download)."""

from __future__ import annotations

import datetime as dt

from .models import DataPackage


def package_on(as_of: dt.date) -> DataPackage | None:
    return DataPackage.objects.filter(as_of=as_of).first()


def latest_package(*, on_or_before: dt.date) -> DataPackage | None:
    """The package of the latest date up to `on_or_before` that was built."""
    return DataPackage.objects.filter(as_of__lte=on_or_before).order_by("-as_of").first()
