"""Validators every app shares: a web address as RFC 3986 writes it.

Django's URLValidator checks the scheme and the host but lets the rest be
almost any character (`"`, `<`, `>`, `{`, `}`, `|`, `\\`, `^`, a backtick,
letters outside ASCII), which browsers tolerate and nothing else has to: the
API's OpenAPI schema calls every address `format: uri` (RFC 3986), feed
readers and spreadsheets read them as such. `validate_uri` refuses what RFC
3986 does not allow, naming the characters and giving the address with them
percent-encoded (what a browser's address bar copies). It runs beside
URLValidator: on the model fields (so the admin, the API and the loader
refuse them), and on every address a service takes (evidence, re-baselines).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
# scheme "://" authority path-abempty [ "?" query ] [ "#" fragment ] (RFC 3986, sections 3 and 4.3).
URI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+\-.]*://"
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"  # userinfo
    rf"(?:\[[{_UNRESERVED}{_SUB_DELIMS}:]+\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"  # host
    rf"(?::[0-9]*)?"  # port
    rf"(?:/{_PCHAR}*)*"  # path
    rf"(?:\?(?:{_PCHAR}|[/?])*)?"  # query
    rf"(?:#(?:{_PCHAR}|[/?])*)?"  # fragment
)
# Every character RFC 3986 uses (unreserved, reserved and "%"); `[`, `]` only around an IP address, one `#`.
_ALLOWED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%")
_HEX = frozenset("0123456789ABCDEFabcdef")


def _misplaced(value: str) -> list[int]:
    """Positions of the characters that must be percent-encoded where they stand."""
    scheme_end = value.find("://")
    host_start = scheme_end + 3 if scheme_end >= 0 else len(value)
    host_end = min([found for delimiter in "/?#" if (found := value.find(delimiter, host_start)) >= 0] + [len(value)])
    fragment = value.find("#")

    def misplaced(position: int, character: str) -> bool:
        if character not in _ALLOWED:
            return True
        if character == "%":  # only as the start of an escape
            escape = value[position + 1 : position + 3]
            return len(escape) != 2 or not set(escape) <= _HEX
        if character in "[]":  # only around an IP address
            return not host_start <= position < host_end
        return character == "#" and position != fragment  # one fragment

    return [position for position, character in enumerate(value) if misplaced(position, character)]


def _ascii_host(value: str) -> str:
    """`value` with a host in letters outside ASCII written as DNS knows it (`xn--...`), when it can be."""
    try:
        host = urlsplit(value).hostname or ""
        if host.isascii():
            return value
        encoded = host.encode("idna").decode("ascii")
    except ValueError:  # no address to speak of (UnicodeError is a ValueError)
        return value
    start = value.lower().find(host)
    return value[:start] + encoded + value[start + len(host) :] if start >= 0 else value


def _shown(character: str) -> str:
    return f"“{character}”" if character.isprintable() and not character.isspace() else f"U+{ord(character):04X}"


@deconstructible
class URIValidator:
    """An address whose every character RFC 3986 allows where it stands (the schema's `format: uri`)."""

    message = _("An address cannot contain %(characters)s. Encoded, it is: %(suggestion)s")
    invalid = URLValidator.message  # Django's own words (and translations) for what is no address at all
    code = "invalid_uri"

    def __call__(self, value: Any) -> None:
        value = str(value)
        if URI.fullmatch(value):
            return
        positions = _misplaced(value)
        ascii_host = _ascii_host(value)
        misplaced = set(_misplaced(ascii_host))
        suggestion = "".join(
            quote(character, safe="") if position in misplaced else character
            for position, character in enumerate(ascii_host)
        )
        if not positions or not URI.fullmatch(suggestion):
            raise ValidationError(self.invalid, code=self.code)  # not an address at all: URLValidator says why
        characters = " ".join(dict.fromkeys(_shown(value[position]) for position in positions))
        raise ValidationError(self.message, code=self.code, params={"characters": characters, "suggestion": suggestion})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, URIValidator)

    def __hash__(self) -> int:
        return hash(URIValidator)


validate_uri = URIValidator()
