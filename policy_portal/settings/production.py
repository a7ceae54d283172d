"""Production settings: PostgreSQL, Redis, gunicorn behind a TLS proxy, HTTPS; refuses to start without a secret key."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import TRUSTED_PROXY_COUNT, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production; refusing to start without it.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS, and who may say a request came over it (docs/reliability.md, "Security headers"). DJANGO_TRUSTED_PROXY_COUNT
# (base.py) is the number of proxies of ours in front of gunicorn. At 0, the default, gunicorn's port is reached
# directly, so a header a proxy would add is whatever the client wrote: X-Forwarded-Proto is then ignored (and so
# is X-Forwarded-For, core.security.client_ip). Behind a TLS-terminating proxy, set it to 1 and let only that proxy
# reach the port; the proxy must set (not append to) X-Forwarded-Proto.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Plain HTTP is answered with a redirect to HTTPS (DJANGO_SECURE_SSL_REDIRECT=False to try the stack out on plain
# HTTP, with the cookie and HSTS settings below turned off too).
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Except /healthz, which the compose health check asks over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# HSTS, sent on HTTPS responses only: browsers then refuse plain HTTP to the host (and its subdomains) for a year.
# DJANGO_SECURE_HSTS_SECONDS=0 turns it off; start lower (e.g. 3600) on a host whose HTTPS is new. The preload flag
# submits nothing to the browsers' preload list by itself; it consents to a submission for the domain
# (DJANGO_SECURE_HSTS_PRELOAD=False withholds that).
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SECURE_CONTENT_TYPE_NOSNIFF = True
