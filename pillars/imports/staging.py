"""Uploaded files wait here between the dry run and the confirmation (never served, kept 24 hours)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from .report import ImportKind

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
STAGING_HOURS = 24


def _staging_dir() -> Path:
    path = Path(settings.IMPORT_STAGING_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(*, kind: ImportKind, name: str, data: bytes, user_id: int) -> str:
    """Keep an uploaded file until its dry run is confirmed; returns the token that names it."""
    folder = _staging_dir()
    cutoff = time.time() - STAGING_HOURS * 3600
    for old in folder.glob("*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.data").write_bytes(data)
    meta = {"kind": kind.value, "name": name, "user": user_id, "sha256": hashlib.sha256(data).hexdigest()}
    (folder / f"{token}.json").write_text(json.dumps(meta))
    return token


def staged(*, token: str, user_id: int, kind: ImportKind) -> tuple[str, bytes] | None:
    """The file staged under `token` by this user for this kind of import (None when unknown or expired)."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _staging_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user_id or meta.get("kind") != kind.value:
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None
    return str(meta["name"]), data


def unstage(*, token: str) -> None:
    if _TOKEN.match(token or ""):
        folder = _staging_dir()
        for suffix in (".data", ".json"):
            (folder / f"{token}{suffix}").unlink(missing_ok=True)
