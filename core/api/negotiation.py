"""Which renderer answers: DRF's content negotiation, with `?format=` read like every other parameter.

DRF takes an empty `?format=` for no format (the Accept header decides) and
an unknown one (`?format=xml`) for a 404, as if the address did not exist.
Here both, and a format given twice, are a 400 naming `format` and the
formats there are. A CSV or XLSX answer also checks `?table=` (`core.api.tables`).

The language of the records' texts is negotiated here too, as the first step of every API request: `?lang=`
(en or ur; anything else is a 400 naming `lang`), else the Accept-Language header, else English. The texts
come in the same fields, each in Urdu where it has been translated and in English otherwise; the ETag
(`core.api.conditional.etag_for`) and the cached answers differ per language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

from . import tables
from .params import single_values

LANG_PARAM = "lang"


def api_language(request: Request) -> str:
    """`?lang=`, else the best language of Accept-Language the portal has, else English; a 400 for a bad `lang`."""
    codes = [code for code, _name in settings.LANGUAGES]
    value = single_values(request, [LANG_PARAM]).get(LANG_PARAM)
    if value is not None:
        if value not in codes:
            message = _("“%(value)s” is not a language of the portal: choose one of %(languages)s.")
            raise exceptions.ValidationError(
                {LANG_PARAM: [message % {"value": value[:40], "languages": ", ".join(codes)}]}
            )
        return value
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in codes:
            return str(base)
    return str(settings.LANGUAGE_CODE)


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        language = api_language(request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        name = self.settings.URL_FORMAT_OVERRIDE
        if format_suffix is None and name:
            value = single_values(request, [name]).get(name)
            renderers = list(renderers)
            formats = list(dict.fromkeys(renderer.format for renderer in renderers))
            if value is not None and value not in formats:
                message = _("“%(value)s” is not a format: choose one of %(formats)s.")
                raise exceptions.ValidationError(
                    {name: [message % {"value": value[:40], "formats": ", ".join(formats)}]}
                )
        chosen = super().select_renderer(request, renderers, format_suffix)
        if getattr(chosen[0], "tabular", False):
            _check_table(request)
        return chosen


def _check_table(request: Request) -> None:
    """`?table=` of a CSV or XLSX answer: one of the answer's related tables, or a 400 naming them."""
    value = single_values(request, [tables.TABLE_PARAM]).get(tables.TABLE_PARAM)
    view = (request.parser_context or {}).get("view")
    if value is None or view is None:
        return
    problem = tables.table_problem(view, value)
    if problem:
        raise exceptions.ValidationError({tables.TABLE_PARAM: [problem]})
