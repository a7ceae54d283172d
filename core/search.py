"""The search box's matching: one normaliser for the words typed and for the text they are looked for in.

A reader types "startups", "200000" or "تربیت"; the text says "startup",
"200,000" or spells a letter another way. Both sides are folded the same way
before they are compared:

- case, and the Arabic-script variants readers type on different keyboards:
  Arabic yeh and alef maksura are the Urdu yeh, the Arabic kaf is the Urdu
  kaf, every heh and teh marbuta is the Urdu heh goal, hamza seats are their
  letters (alef with hamza or madda is alef, waw with hamza is waw, yeh with
  hamza is yeh), and diacritics, tatweel, the hamza sign and zero-width
  joiners are dropped (the table `_FOLD_TO` lists every character);
- Urdu and Arabic-Indic digits are digits (U+06F1 U+06F2 and U+0661 U+0662 are 12), and grouping marks
  between them are dropped (",", the Arabic thousands separator and the Urdu
  comma), so 200000, 200,000 and 2,00,000 are one number;
- an English plural matches its singular and the other way round: a word is
  looked for by the stem its forms share ("policies" and "policy" by "polic",
  "startups" by "startup"), as a part of the text, which is how the search
  always matched ("train" finds "trained" and "training").

The text side is folded by the database, in the query (`folded`): a
TRANSLATE built from the one table below on PostgreSQL, and on SQLite the
Python function itself, registered on the connection, so that the two sides
cannot drift apart. That
keeps the search one query per kind of result, whatever the number of rows or
words, with no column to keep in step on every write path. Its price is a
scan, which the previous `icontains` search paid too.

The portal's records are written in English, and the Urdu pages show them as
they are. So that a reader who types the Urdu word for what the page shows
finds it, a few of the policy's words carry their English stems (`URDU_TERMS`);
the Urdu word is looked for as well.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Expression, F, Func, Q, Value
from django.db.models.functions import Coalesce, Concat
from django.db.models.sql.compiler import SQLCompiler

# Characters that become another; a character mapped to "" is dropped.
_FOLD_TO: dict[str, str] = {
    "\u064a": "\u06cc",  # ي Arabic yeh
    "\u0649": "\u06cc",  # ى alef maksura
    "\u0626": "\u06cc",  # ئ yeh with hamza
    "\u0643": "\u06a9",  # ك Arabic kaf
    "\u0647": "\u06c1",  # Arabic heh
    "\u0629": "\u06c1",  # ة teh marbuta
    "\u06c3": "\u06c1",  # ۃ teh marbuta goal
    "\u06be": "\u06c1",  # heh doachashmee: typed as the Arabic heh on an Arabic keyboard, so folded with it
    "\u06c2": "\u06c1",  # ۂ heh goal with hamza
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0622": "\u0627",  # آ alef madda
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0624": "\u0648",  # ؤ
    "\u06d3": "\u06d2",  # ۓ yeh barree with hamza
    **{chr(0x06F0 + i): str(i) for i in range(10)},  # Urdu digits
    **{chr(0x0660 + i): str(i) for i in range(10)},  # Arabic-Indic digits
    # Dropped: digit grouping (see `_GROUPED`), tatweel, hamza, diacritics, zero-width (non-)joiners.
    ",": "",
    "\u066c": "",  # Arabic thousands separator
    "\u060c": "",  # Urdu comma
    "\u0640": "",  # tatweel
    "\u0621": "",  # hamza
    **{chr(c): "" for c in range(0x064B, 0x0660)},  # harakat, shadda, sukun, hamza above/below, ...
    "\u0670": "",  # superscript alef
    "\u200c": "",
    "\u200d": "",
}
_TABLE = str.maketrans(_FOLD_TO)

#: A few of the policy's words in Urdu, folded, with the English stems the records use.
URDU_TERMS: dict[str, tuple[str, ...]] = {
    "تربیت": ("train",),
    "فنڈ": ("fund",),
    "فنڈز": ("fund",),
    "وظیفہ": ("scholarship",),
    "وظائف": ("scholarship",),
    "تحقیق": ("research",),
    "مرکز": ("centre", "center"),
    "مراکز": ("centre", "center"),
    "ڈیٹا": ("data",),
    "کونسل": ("council",),
    "پالیسی": ("polic",),
    "طلبہ": ("student",),
    "ملازمت": ("job",),
    "ملازمتیں": ("job",),
    "اسٹارٹ": ("startup", "start-up"),
    "سٹارٹ": ("startup", "start-up"),
}

_URDU: dict[str, tuple[str, ...]] = {}  # URDU_TERMS with folded keys, filled once `normalise` exists
# Quotes and stops around a word (curly quotes, the Arabic question mark, the Urdu full stop and comma).
SQLITE_FUNCTION = "portal_search_fold"
_PUNCTUATION = "\"'.,;:!?()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb\u061f\u06d4\u060c"
_VOWELS = set("aeiou")


def normalise(text: str) -> str:
    """`text` folded as the database folds the searched text (`folded`): lower case, one form of each letter."""
    return text.lower().translate(_TABLE)


_URDU.update({normalise(word): stems for word, stems in URDU_TERMS.items()})


def stem(word: str) -> str:
    """The part an English word's singular and plural share: policies, policy → polic; startups → startup."""
    if not word.isascii() or not word.isalpha() or len(word) < 4:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3]
    if word.endswith("y") and word[-2] not in _VOWELS:
        return word[:-1]
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(query: str) -> list[tuple[str, ...]]:
    """Each word of `query` as the strings any of which a match must contain (all the words must match)."""
    found: list[tuple[str, ...]] = []
    for raw in query.split():
        word = raw.lower().strip(_PUNCTUATION)
        if word.endswith(("'s", "\u2019s")):
            word = word[:-2]
        word = normalise(word)
        if not word:
            continue
        alternatives = (stem(word), *_URDU.get(word, ()))
        if alternatives not in found:
            found.append(alternatives)
    return found


def _fold_cell(text: str | None) -> str:
    return normalise(text or "")


class _Fold(Func):
    """The database side of `normalise`: LOWER and TRANSLATE on PostgreSQL; on SQLite, `normalise` itself.

    SQLite has no TRANSLATE, and the 70 nested REPLACEs it would take overflow its parser's stack, so the
    same Python function the words go through is registered on the connection (as Django registers its own
    date functions there).
    """

    output_field = CharField()

    def as_sql(  # type: ignore[override]  # the stubs' Func and BaseExpression disagree; this takes neither's extras
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError("The search folds text on PostgreSQL and SQLite only.")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        connection.ensure_connection()
        connection.connection.create_function(SQLITE_FUNCTION, 1, _fold_cell, deterministic=True)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{SQLITE_FUNCTION}({sql})", tuple(params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.source_expressions[0])
        # TRANSLATE drops the characters of its second argument that have no counterpart in the third.
        mapped = [(c, r) for c, r in _FOLD_TO.items() if r]
        dropped = [c for c, r in _FOLD_TO.items() if not r]
        source = "".join(c for c, _ in mapped) + "".join(dropped)
        target = "".join(r for _, r in mapped)
        return f"TRANSLATE(LOWER({sql}), %s, %s)", (*params, source, target)


def folded(*fields: str) -> Expression:
    """The searched text of a row: its `fields`, joined by spaces, folded like `normalise` folds the words."""
    parts: list[Any] = []
    for name in fields:
        if parts:
            parts.append(Value(" "))
        # A text not translated yet is NULL in its Urdu column (django-modeltranslation): it adds nothing.
        parts.append(Coalesce(F(name), Value(""), output_field=CharField()))
    joined = Concat(*parts, output_field=CharField()) if len(parts) > 1 else parts[0]
    return _Fold(joined)


def both(*fields: str) -> list[str]:
    """The English and the Urdu column of each translated field (settings' MODELTRANSLATION_LANGUAGES), for `folded`.

    A reader finds a record by its words in either language, whichever the page is in.
    """
    return [f"{name}_{language}" for name in fields for language in settings.MODELTRANSLATION_LANGUAGES]


def matching(query: str, annotation: str = "search_text") -> Q | None:
    """The condition on `annotation` (a `folded` text) for rows matching every word; None when no word is left."""
    words = terms(query)
    if not words:
        return None
    condition = Q()
    for alternatives in words:
        either = Q()
        for alternative in alternatives:
            either |= Q(**{f"{annotation}__contains": alternative})
        condition &= either
    return condition
