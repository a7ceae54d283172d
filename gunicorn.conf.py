"""gunicorn's settings for the portal, read from the working directory by the Docker image, docker compose
and bench/api.py (command-line options still win)."""

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Take what the worker loaded at start-up out of the garbage collector's sight (`gc.freeze()`).

    Django, DRF and their registries are several hundred thousand objects
    that live as long as the worker; every full collection walked all of
    them, a pause of 30-100 ms a few times a minute under load (measured with
    bench/api.py), now 10-20 ms.
    """
    gc.collect()
    gc.freeze()


# The longest request line gunicorn reads (its maximum; the default, 4,094 bytes, refused an address with a few
# dozen repeated filters, `?status=...&hub=...`, with an HTML 414). Longer ones still get the 414 the API's
# schema documents.
limit_request_line = 8190
