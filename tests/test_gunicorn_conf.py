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


def test_gunicorn_reads_request_lines_as_long_as_it_can_and_the_schema_documents_its_414() -> None:
    """A list with a few dozen repeated filters is longer than gunicorn's default 4,094 bytes (an HTML 414)."""
    from gunicorn.config import Config

    settings = runpy.run_path(str(CONF))
    config = Config()
    config.set("limit_request_line", settings["limit_request_line"])
    assert config.limit_request_line == 8190  # gunicorn's maximum (0 would be unlimited)

    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "414" in operation["responses"], (method, path)
