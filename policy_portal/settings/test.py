"""Settings for the test suite: fast hashing, tasks run eagerly unless a test asks for the broker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests decide explicitly when a real broker is involved (tests marked
# `redis`); everything else runs in-process. The Celery workers those tests
# start set CELERY_TASK_ALWAYS_EAGER=False.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# Tests never collect static files; serve them from the app and static/ folders.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# django-axes logs every sign-in at INFO; force_login in hundreds of tests would drown the output.
LOGGING["loggers"] = {"axes": {"level": "WARNING"}}
# Tests write inside transactions that never commit, so the data-version token
# (renewed on commit) would not move between a write and the next read: the
# representation copies are tested explicitly, with real commits.
API_REPRESENTATION_CACHE_SECONDS = 0
# A recompute in a test does not build the data package (eagerly, inside the test); tests/opendata builds it.
OPENDATA_BUILD_AFTER_RECOMPUTE = False
