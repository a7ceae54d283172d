"""The Urdu texts of the bundled records (``data/policy.ur.yaml``), merged into the records as ``<field>_ur`` keys.

The Urdu file is the portal's own translation of the English texts of
``data/policy.yaml`` (the English prevails). It mirrors the policy file by
natural key, only for the reader-facing texts::

    pillars:      {<number>: {name, summary, description}}
    hubs:         {<slug>: {name, role}}
    targets:      {<code>: {title, description, unit, basis_note, reported: {<date>: note}}}
    milestones:   {<code>: {title, description, basis_note, evidence: [summary, ...]}}
    incentives:   {<slug>: {name, summary, eligibility, budget_note, dispute_note}}
    risks:        {<slug>: {title, description}}
    policy:       {name, summary}
    illustrative: {note: the Urdu of ILLUSTRATIVE_NOTE, measurements: {"<code> <date>": note}}

A record or a field the file does not name keeps no Urdu text, and the pages
show its English (marked ``lang="en"``). A key the file names that the policy
file has not is an error, so that a renamed record cannot lose its Urdu
silently.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from .report import PolicyDataError
from .schema import _as_date

#: The translated fields of each section (the models' translation.py registers the same ones).
FIELDS: dict[str, tuple[str, ...]] = {
    "pillars": ("name", "summary", "description"),
    "hubs": ("name", "role"),
    "targets": ("title", "description", "unit", "basis_note"),
    "milestones": ("title", "description", "basis_note"),
    "incentives": ("name", "summary", "eligibility", "budget_note", "dispute_note"),
    "risks": ("title", "description"),
}
KEYS = {"pillars": "number", "hubs": "slug", "targets": "code", "milestones": "code", "incentives": "slug"}
KEYS |= {"risks": "slug"}
NESTED = {"targets": ("reported", "note"), "milestones": ("evidence", "summary")}


def _day_key(value: Any) -> str:
    day = _as_date(value)
    return str(value) if day is None else day.isoformat()


def urdu_merge(data: MutableMapping[str, Any], urdu: Any, illustrative: Mapping[str, Any] | None = None) -> str:
    """Write the Urdu texts of `urdu` into the records of `data` (and `illustrative`); the Urdu illustrative note.

    Raises PolicyDataError naming every key of `urdu` that matches nothing.
    """
    problems: list[str] = []
    if urdu is None:
        return ""
    if not isinstance(urdu, Mapping):
        raise PolicyDataError(["Urdu file: must be a mapping of sections."])
    for section in urdu:
        if section not in (*FIELDS, "policy", "illustrative"):
            problems.append(f"Urdu file: unknown section '{section}'.")
    for section, fields in FIELDS.items():
        records = {str(r.get(KEYS[section])): r for r in data.get(section) or [] if isinstance(r, MutableMapping)}
        for key, texts in (urdu.get(section) or {}).items():
            record = records.get(str(key))
            where = f"Urdu file: {section} {key}"
            if record is None:
                problems.append(f"{where}: no such record in the policy file.")
                continue
            for name, text in (texts or {}).items():
                nested = NESTED.get(section)
                if nested is not None and name == nested[0]:
                    _merge_nested(record, nested, text, where, problems)
                elif name in fields:
                    record[f"{name}_ur"] = str(text).strip()
                else:
                    problems.append(f"{where}: '{name}' is not a translated field (allowed: {', '.join(fields)}).")
    policy = data.get("policy")
    for name, text in (urdu.get("policy") or {}).items():
        if name not in ("name", "summary") or not isinstance(policy, MutableMapping):
            problems.append(f"Urdu file: policy '{name}' is not a translated field (allowed: name, summary).")
        else:
            policy[f"{name}_ur"] = str(text).strip()
    note = ""
    extra = urdu.get("illustrative") or {}
    if extra:
        note = str(extra.get("note") or "").strip()
        by_key = {
            f"{m.get('target')} {_day_key(m.get('date'))}": m
            for m in (illustrative or {}).get("measurements") or []
            if isinstance(m, MutableMapping)
        }
        for key, text in (extra.get("measurements") or {}).items():
            if key in by_key:
                by_key[key]["note_ur"] = str(text).strip()
            elif illustrative is not None:
                problems.append(f"Urdu file: illustrative measurement '{key}' is not in the illustrative file.")
    if problems:
        raise PolicyDataError(problems)
    return note


def _merge_nested(
    record: MutableMapping[str, Any], nested: tuple[str, str], texts: Any, where: str, problems: list[str]
) -> None:
    """Reported notes by date; evidence summaries as a list, in the policy file's order (two may share a date)."""
    items, field = nested
    entries = [item for item in record.get(items) or [] if isinstance(item, MutableMapping)]
    if isinstance(texts, list):
        if len(texts) > len(entries):
            problems.append(f"{where}: {len(texts)} {items} texts for {len(entries)} entries.")
        for item, text in zip(entries, texts, strict=False):
            if text:
                item[f"{field}_ur"] = str(text).strip()
        return
    by_day: dict[str, MutableMapping[str, Any]] = {}
    for entry in entries:
        by_day.setdefault(_day_key(entry.get("date")), entry)
    for day, text in (texts or {}).items():
        dated = by_day.get(_day_key(day))
        if dated is None:
            problems.append(f"{where}: no {items} entry dated {day}.")
        else:
            dated[f"{field}_ur"] = str(text).strip()
