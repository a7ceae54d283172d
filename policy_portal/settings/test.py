"""Settings for the test suite: fast hashing, tasks run eagerly unless a test asks for the broker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests decide explicitly when a real broker is involved (tests marked
# `celery_worker`); everything else runs in-process.
CELERY_TASK_ALWAYS_EAGER = True
