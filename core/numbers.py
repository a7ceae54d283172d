"""Reading a figure typed by a person: one parser for the figures import and the admin's number fields.

The portal shows numbers grouped the way each language groups them: 160,000 in
English, 1,60,000 (lakhs) on the Urdu pages. Editors copy figures from either,
and from sources written with Urdu or Arabic-Indic digits, so both groupings
and all three sets of digits are read, and read to the same number: a comma
only groups digits, it never changes their value.

What is refused is what could mean two things or nothing: a comma that is not
a grouping of either kind ("1,5" may be a decimal comma, "16,00,0" is a typo),
a point that may be a European thousands separator ("1.500": 1.5 or 1500?),
two signs, letters. Each refusal says what was typed and how to write it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Urdu (Extended Arabic-Indic) and Arabic-Indic digits; the Arabic thousands and decimal separators; the
# Urdu comma; the minus sign; the spaces a copied figure may carry (they are dropped, like a comma).
_DIGITS = {0x06F0 + i: str(i) for i in range(10)} | {0x0660 + i: str(i) for i in range(10)}
_MARKS = {0x066C: ",", 0x060C: ",", 0x066B: ".", 0x2212: "-", 0x00A0: None, 0x202F: None, 0x2009: None}
_TRANSLATE = _DIGITS | _MARKS | {ord(" "): None}

_PLAIN = re.compile(r"\d+")
_INTERNATIONAL = re.compile(r"\d{1,3}(?:,\d{3})+")  # 160,000  1,000,000
_LAKH = re.compile(r"\d{1,2}(?:,\d{2})+,\d{3}")  # 1,60,000  12,34,56,789
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<whole>[\d,]*)(?:\.(?P<fraction>\d+))?")
# A point followed by exactly three digits, no comma, and a whole part that is not 0: "1.500", "12.000".
_EUROPEAN = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")

#: The largest figure accepted: the figures are counts, shares and budgets; beyond this it is a typing slip.
LIMIT = 1e15


class NumberProblem(ValueError):
    """Text that is not a figure, or could be two figures; the message says what was read and how to write it."""


@dataclass(frozen=True)
class Reading:
    """A figure as read: its value, and how it was grouped ("plain", "thousands" or "lakhs")."""

    value: float
    grouping: str

    def __str__(self) -> str:
        return plain(self.value)


def plain(value: float) -> str:
    """A number without grouping, as the parser reads it back: 160000, 1.5, -3 (never "160000.0" nor "1e+06")."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(value, "f").rstrip("0").rstrip(".") if abs(value) >= 1e-4 else repr(value)


def read_number(text: str) -> Reading:
    """`text` as a figure: 160000, 160,000, 1,60,000, 1.5, -2,750, in any of the three digits; or NumberProblem."""
    shown = text.strip()[:40]
    typed = text.strip().translate(_TRANSLATE)
    if not typed:
        raise NumberProblem(_("No number was given."))
    if typed.isascii() and typed.isdigit() and len(typed) < 16:  # the usual case, 50,000 times in a large import
        return Reading(value=float(typed), grouping="plain")
    if _EUROPEAN.fullmatch(typed.lstrip("+-")):
        if typed.count(".") > 1:
            raise NumberProblem(
                _("“%(text)s” groups digits with points: write %(large_grouped)s or %(large)s.")
                % {
                    "text": shown,
                    "large": typed.replace(".", "").lstrip("+"),
                    "large_grouped": typed.replace(".", ",").lstrip("+"),
                }
            )
        raise NumberProblem(
            _("“%(text)s” could be %(small)s or %(large)s: write %(small)s or %(large_grouped)s.")
            % {
                "text": shown,
                "small": plain(float(typed)),
                "large": typed.replace(".", "").lstrip("+"),
                "large_grouped": typed.replace(".", ",").lstrip("+"),
            }
        )
    match = _NUMBER.fullmatch(typed)
    if match is None or (not match["whole"] and not match["fraction"]):
        raise NumberProblem(
            _("“%(text)s” is not a number: write digits, e.g. 160000, 160,000 or 1,60,000, and a point for decimals.")
            % {"text": shown}
        )
    whole = match["whole"]
    if "," not in whole:
        grouping = "plain"
    elif _INTERNATIONAL.fullmatch(whole):
        grouping = "thousands"
    elif _LAKH.fullmatch(whole):
        grouping = "lakhs"
    else:
        raise NumberProblem(
            _(
                "“%(text)s” is not a number: a comma groups digits in threes (160,000) or in lakhs, twos before "
                "the last three (1,60,000); a decimal is written with a point (1.5)."
            )
            % {"text": shown}
        )
    if whole and not _PLAIN.fullmatch(whole.replace(",", "")):
        raise NumberProblem(_("“%(text)s” is not a number.") % {"text": shown})
    value = float(f"{match['sign']}{whole.replace(',', '') or '0'}.{match['fraction'] or '0'}")
    if not math.isfinite(value) or abs(value) > LIMIT:
        raise NumberProblem(_("“%(text)s” is too large to be a figure here.") % {"text": shown})
    return Reading(value=value, grouping=grouping)
