"""The /data/ page and the data package download: files the Celery task built, served as they are."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from core.api.params import value_problem
from core.asof import ParameterError, parse_date
from core.versioning import data_version, release
from indicators import selectors as indicator_selectors

from . import catalogue, package, selectors, services, tasks
from .models import DataPackage

RETRY_SECONDS = 60


def _problem(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


def _wanted_date(request: HttpRequest) -> tuple[dt.date | None, JsonResponse | None]:
    values = request.GET.getlist("as_of")
    given_badly = value_problem("as_of", values)  # twice, or empty: the API's rule for every parameter
    if given_badly:
        return None, _problem(given_badly, 400, field="as_of")
    try:
        return parse_date(values[0] if values else None, name="as_of"), None
    except ParameterError as error:
        return None, _problem(error.message, 400, field="as_of")


def _file_response(request: HttpRequest, row: DataPackage) -> HttpResponseBase:
    etag = f'"{row.sha256[:32]}"'
    last_modified = row.built_at.timestamp()
    conditional = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if conditional is not None:
        return conditional
    path = services.package_directory() / row.file
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"pakistan-ai-policy-data-{row.as_of.isoformat()}.zip",
        content_type="application/zip",
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=60"
    response["X-Data-As-Of"] = row.as_of.isoformat()
    return response


def datapackage_zip(request: HttpRequest) -> HttpResponseBase:
    """`/data/datapackage.zip[?as_of=]`: the package as built; a 202 while a date's package is being built.

    Without `as_of`, the latest package built (today's once the worker has
    built it: its date is in `X-Data-As-Of`). With it, that date's package; a
    date with a stored recompute that has no package yet is queued for the
    worker (202, `Retry-After`); other dates are a 404, so that no address
    makes the portal compute a whole date for a stranger.
    """
    day, problem = _wanted_date(request)
    if problem is not None:
        return problem
    today = timezone.localdate()
    if day is None:
        row = selectors.latest_package(on_or_before=today)
        if row is not None and (services.package_directory() / row.file).exists():
            return _file_response(request, row)
        day = today
    else:
        row = selectors.package_on(day)
        if row is not None and (services.package_directory() / row.file).exists():
            return _file_response(request, row)
        if day != today and not indicator_selectors.full_run_exists(as_of=day):
            return _problem(
                _("No package can be built for %(date)s: the indicators of that date were never computed.")
                % {"date": day.isoformat()},
                404,
            )
    tasks.package_outdated(day)
    response = _problem(
        _("The package as of %(date)s is being built; try again in a minute.") % {"date": day.isoformat()},
        202,
        as_of=day.isoformat(),
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


def _data_page_etag(request: HttpRequest) -> str:
    """The page changes with the data, the code, the language and the package built (which moves no data version)."""
    latest = selectors.latest_package(on_or_before=timezone.localdate())
    parts = [data_version(), release()[0], get_language() or "", latest.sha256 if latest else "none"]
    return hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()


@condition(etag_func=_data_page_etag)
def data_page(request: HttpRequest) -> HttpResponse:
    """`/data/`: what can be downloaded, under which licence, how often it changes, and the data dictionary."""
    today = timezone.localdate()
    latest = selectors.latest_package(on_or_before=today)
    resources = [
        {
            "resource": resource,
            "tables": [
                {"table": table, "columns": [*table.keys, *table.columns], "path": package.table_path(table)}
                for table in resource.layout.walk()
            ],
        }
        for resource in catalogue.RESOURCES
    ]
    context = {
        "latest": latest,
        "resources": resources,
        "licence": package.LICENCE,
        "build_delay": settings.OPENDATA_BUILD_DELAY,
        "api_lists": API_LISTS,
    }
    return render(request, "pages/data.html", context)


#: The API lists a data desk can download as CSV, XLSX or JSON: (resource, path under /api/v1/).
API_LISTS = (
    ("pillars", "pillars/"),
    ("targets", "targets/"),
    ("measurements", "measurements/"),
    ("milestones", "milestones/"),
    ("incentives", "incentives/"),
    ("hubs", "hubs/"),
    ("summary", "dashboard/summary/"),
    ("changes", "changes/"),
)
