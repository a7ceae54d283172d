"""gunicorn.conf.py: what gunicorn reads from the working directory (Docker image, compose, bench/api.py)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_a_worker_freezes_what_it_loaded_at_start_up() -> None:
    settings = runpy.run_path(str(CONF))
    gc.unfreeze()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_image_and_compose_run_gunicorn_from_the_directory_that_holds_it() -> None:
    root = CONF.parent
    assert "WORKDIR /app" in (root / "Dockerfile").read_text()
    assert "COPY . ." in (root / "Dockerfile").read_text()
    assert "--config" not in (root / "docker-compose.yml").read_text()  # nothing points gunicorn elsewhere
