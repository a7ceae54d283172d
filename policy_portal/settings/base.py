"""Settings shared by every environment, read from the environment (12-factor).

Each environment module (local, test, production) imports everything from here
and overrides only what differs. Every value that changes between machines
comes from an environment variable, parsed by django-environ.
"""

from base64 import b64encode
from datetime import timedelta
from hashlib import sha256
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES

# The classes django-stubs makes generic (ModelAdmin[Target], ModelForm[Milestone], Feed[...]) accept their
# type arguments at run time too, so that the admin and the forms are typed without aliases.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A developer may keep overrides in a .env file at the top of the checkout.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# The public address (e.g. https://portal.example.org) that canonical links, hreflang alternates, robots.txt and the
# sitemap start with; empty: the request's own scheme and host (core.seo). Set it behind a TLS proxy.
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="")

INSTALLED_APPS = [
    # Before the admin: the reader-facing texts in English and Urdu (each app's translation.py, "Languages" below).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # robots.txt's sitemap.xml, in both languages (policy_portal/sitemaps.py).
    "django.contrib.sitemaps",
    # Third party
    # Cross-origin reads of the API, the feeds and the data downloads (see "CORS" below).
    "corsheaders",
    "rest_framework",
    "django_filters",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Locks out password guessing on the admin login.
    "axes",
    # Ours: the shared plumbing, then sources (every other app cites them), then the policy and its indicators.
    "core",
    # After core, whose drf_create_token (tokens for editors only) replaces this app's.
    "rest_framework.authtoken",
    "sources",
    "hubs",
    "pillars",
    "incentives",
    "indicators",
    # The public record of every change, read from the audit trail of the apps above.
    "changes",
    # The bulk data package and the /data/ page.
    "opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that can answer: a preflight is answered here, and every answer of a CORS path gets its headers.
    "corsheaders.middleware.CorsMiddleware",
    # The security headers go on every response, static files included (see "Security headers" below).
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    # The data's licence (CC BY 4.0) as a Link header on the API, the downloads and the feed.
    "opendata.middleware.LicenceLinkMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A read whose database connection drops mid-request runs again on a new one (no error page).
    "core.middleware.RetryReadOnLostConnection",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "policy_portal.urls"
WSGI_APPLICATION = "policy_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

# Default: an embedded SQLite file, so `make run` needs no server.
# Production and CI set DATABASE_URL=postgres://...
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A kept connection is checked before a request reuses it, so a restarted or failed-over database costs the
# next request a reconnection, not an error (and `core.middleware.RetryReadOnLostConnection` retries a read
# whose connection drops in the middle).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The group, created by a migration, whose members keep the data up to date.
EDITORS_GROUP_NAME = "Editors"

# django-axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for 30 minutes;
# another person's login from elsewhere is not blocked by someone guessing their name.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Twenty from one address, whatever the usernames, lock the address (guessing across usernames);
# the handler adds this rule, and the admin's password-change form counts too (core.lockout).
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_HANDLER = "core.lockout.AxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
# Behind the production proxy the client is the right-most X-Forwarded-For address it added.
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# Only staff sign in (the public pages need no account): a working day, then sign in again.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True

# --- Internationalisation -----------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ur", "اردو")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The records' own texts (titles, descriptions, units, ...) in both languages: django-modeltranslation keeps one
# column per language (title_en, title_ur) and `title` reads the active language's, falling back to English, which
# prevails (core/templatetags/translated.py marks a fallen-back text lang="en" on Urdu pages).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ur")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
USE_I18N = True
USE_TZ = True
# Every "day" in the portal is a calendar day in the policy's time zone.
TIME_ZONE = env("TIME_ZONE", default="Asia/Karachi")

# --- Static files -----------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# --- Security headers -------------------------------------------------------

# Why each value is what it is: docs/reliability.md, "Security headers". Every environment sends the same
# policy, so the browser tests prove that the pages, the admin and the API's docs work under it; production
# adds HSTS and the redirect to HTTPS (production.py).
# The few style attributes that vendored templates write (DRF's browsable API, django-simple-history's history
# page), allowed one by one by their hash; tests/policy_portal/test_security_headers.py fails if one appears.
CSP_STYLE_ATTRIBUTES = [
    "border-bottom: 0",
    "border-bottom: 1px solid #e5e5e5",
    "border-top: 0",
    "float: right",
    "float: right; margin-right: 10px",
    "width: 350px",
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No inline script and no eval anywhere: the public pages run no script, the admin, Swagger UI and
        # ReDoc load theirs from files.
        "script-src": [SELF],
        # A nonce only where a page asks for one: for the <style> elements ReDoc writes as it renders.
        "style-src": [SELF, NONCE],
        "style-src-attr": [
            UNSAFE_HASHES,
            *(f"'sha256-{b64encode(sha256(rule.encode()).digest()).decode()}'" for rule in CSP_STYLE_ATTRIBUTES),
        ],
        # Swagger UI draws some of its icons as data: URLs in its style sheet.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        # No page is meant to be embedded in another site's (X_FRAME_OPTIONS says the same to older browsers).
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": env.list("DJANGO_CSP_REPORT_URI", default=[]) or None,
    },
}
X_FRAME_OPTIONS = "DENY"
# Features no page uses, refused to the pages and to anything they might load (core.headers; empty: no header).
PERMISSIONS_POLICY = env(
    "DJANGO_PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"
    ),
)
# Following a link to a source (a newspaper, a ministry) does not tell it which page of the portal the reader was on.
SECURE_REFERRER_POLICY = env("DJANGO_SECURE_REFERRER_POLICY", default="same-origin")

# --- CORS -------------------------------------------------------------------

# Why: docs/api.md, "CORS: reading from another origin". A page on any origin may read the API, the feed and the
# data downloads (Access-Control-Allow-Origin: *), never with credentials: the browser lets no such page read an
# answer given to a cookie. Writes from another origin's page are refused by the preflight (only GET, HEAD and
# OPTIONS are allowed, and neither Authorization nor X-CSRFToken) or, sent with the session cookie, by the CSRF
# check; the admin writes same-origin, and scripts with a token (which CORS does not concern) write as before.
CORS_URLS_REGEX = r"^/(ur/)?(api|feeds|data)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
# Beyond the headers a browser always allows: a dashboard that polls sends back its ETag.
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since"]
# Beyond the few a script may always read: the ETag to send back, the feed's date, the wait after a 429, a file's name.
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After", "Content-Disposition", "Link"]
# A day, as browsers cap it anyway (Chromium: two hours).
CORS_PREFLIGHT_MAX_AGE = 86400

# --- Django REST Framework -------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous write then gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsEditorOrReadOnly"],
    # django-filter's backend with the API's rules for parameters (core.api.params: given once, not empty).
    "DEFAULT_FILTER_BACKENDS": ["core.api.params.FilterBackend"],
    # `?format=` empty, unknown or repeated is a 400 (DRF: ignored, or a 404).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    # DRF's three, with JSON nested too deeply refused as a 400 (a RecursionError otherwise).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "core.api.renderers.CSVRenderer",
        "core.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.ApiAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.AnonymousThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="600/minute")},
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}

# How long the API keeps a copy of a JSON/CSV representation under its ETag (0: never).
API_REPRESENTATION_CACHE_SECONDS = env.int("API_REPRESENTATION_CACHE_SECONDS", default=3600)

SPECTACULAR_SETTINGS = {
    # drf-spectacular's own enum hook, then ours: request bodies refuse unknown properties, as the API does.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.closed_request_bodies",
        "core.api.schema.enum_varnames",
        "core.api.schema.describe",
    ],
    "TITLE": "National AI Policy 2025 delivery tracker API",
    "DESCRIPTION": (
        "Pillars, targets, milestones, incentives and hubs of Pakistan's National AI Policy 2025, "
        "with the implementation-slip indicators as of any date. Reading is public; writing needs an "
        "account in the Editors group (session with CSRF, or `Authorization: Token <key>`).\n\n"
        "The data in every response is published under the Creative Commons Attribution 4.0 licence "
        "(CC BY 4.0, `info.license`): reuse it, naming the portal as the source.\n\n"
        "Every query parameter is validated, and a bad one is a 400 naming it: dates are `YYYY-MM-DD` between "
        "2000-01-01 and 2100-12-31; booleans `true` or `false`; a choice, slug or id must exist; an empty value "
        "(except the free-text filters) and a parameter that takes one value given twice are refused; only the "
        "filters marked repeatable take several values (any of). Lists come in pages of 50 (`page_size` up to "
        "500); `as_of` replays the numbers as known on a past date. Every GET answers with an ETag: send it "
        "back as `If-None-Match` for a 304."
    ),
    "VERSION": "1.0.0",
    # The data (every response) is under CC BY 4.0, whatever the code's own licence.
    "LICENSE": {
        "name": "CC BY 4.0 (the data in every response)",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    },
    # Relative by default: the server that served the schema (clients resolve it against the schema's address).
    "SERVERS": [
        {
            "url": env("API_SERVER_URL", default="/"),
            "description": "This portal (set API_SERVER_URL to name its public address).",
        }
    ],
    # Operation ids and tags from the path after /api/v1/: `targets_list`, tag `targets`.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "TAGS": [
        {"name": "pillars", "description": "The six pillars of the policy, each with the roll-up of its items."},
        {
            "name": "targets",
            "description": "Numeric targets: the promise, the planned curve (trajectory) and the slip indicators "
            "as of any date; their history is what a chart needs.",
        },
        {
            "name": "measurements",
            "description": "Reported figures (cumulative) of each target; `illustrative: true` marks "
            "demonstration values nobody reported. Withdrawn, never deleted.",
        },
        {
            "name": "milestones",
            "description": "Dated deliverables with their evidence, forecast and indicators as of any date.",
        },
        {"name": "incentives", "description": "What the policy offers companies, researchers and students."},
        {"name": "hubs", "description": "Cities where the policy places a Centre of Excellence or another AI hub."},
        {"name": "dashboard", "description": "The policy-wide roll-up and one per pillar, as of any date."},
        {
            "name": "changes",
            "description": "The public record of every change to published data, newest first.",
        },
    ],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TargetStatusEnum": "indicators.choices.TargetStatus",
        "MilestoneStatusEnum": "indicators.choices.MilestoneStatus",
        "IncentiveStatusEnum": "incentives.choices.IncentiveStatus",
        "HubStatusEnum": "hubs.choices.HubStatus",
        "ConfidenceEnum": "sources.choices.Confidence",
        "BasisEnum": "sources.choices.Basis",
        "TargetKindEnum": "pillars.choices.TargetKind",
        "IncentiveKindEnum": "incentives.choices.IncentiveKind",
        "EvidenceKindEnum": "pillars.choices.EvidenceKind",
        "IndicatorBasisEnum": "indicators.choices.Basis",
    },
}

# --- Cache ------------------------------------------------------------------

# Redis (cache and Celery broker); none by default, and then tasks run eagerly.
REDIS_URL = env("REDIS_URL", default="")

# Redis when there is one: the web processes and the workers then share the
# throttling counters and the data-version token behind the API's ETags.
CACHES = {
    "default": (
        {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery -----------------------------------------------------------------

# With no REDIS_URL, tasks run in-process and eagerly: `make run` needs no
# broker, and an edit still recomputes its indicators.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# Results are kept only so that a parallel recompute can roll up once its chunks are done.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A web request must never hang on an unreachable broker: fail fast; the
# outbox keeps the recompute until the broker is back (`indicators.scheduling`).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
# A task that a worker took and never acknowledged (the worker was killed outright) goes back to the queue
# after `visibility_timeout` seconds (kombu's default is an hour). It must exceed the longest task, which
# the hard time limit below guarantees: a full recompute at 100,000 targets takes about 10 s, and a larger
# one is split into chunks (`recompute_all_parallel`).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 0,
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Look for such tasks every 10 s (kombu's default sweep comes round about every 100 s).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_TIME_LIMIT = CELERY_VISIBILITY_TIMEOUT * 4 // 5
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 9 // 10
CELERY_TASK_PUBLISH_RETRY = False
# How often beat drains the outbox; rows younger than this are left to the task their edit sent.
INDICATORS_OUTBOX_DRAIN_SECONDS = env.int("INDICATORS_OUTBOX_DRAIN_SECONDS", default=20)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    # Every night, shortly after midnight in Asia/Karachi: today's indicators.
    "recompute-indicators-nightly": {
        "task": "indicators.recompute_all",
        "schedule": crontab(hour=0, minute=30),
    },
    # The outbox of recomputes whose task never reached a broker, and a nightly run that was missed.
    "drain-pending-recomputes": {
        "task": "indicators.drain_pending",
        "schedule": timedelta(seconds=INDICATORS_OUTBOX_DRAIN_SECONDS),
    },
}
# After this local time, a day with no full recompute yet gets one from the drain (the nightly run was missed).
INDICATORS_CATCH_UP_AFTER = env("INDICATORS_CATCH_UP_AFTER", default="01:00")

# --- Open data ------------------------------------------------------------------

# Where the built data packages are kept: shared by the web and the worker (compose's media volume).
OPENDATA_ROOT = env.path("OPENDATA_ROOT", default=f"{MEDIA_ROOT}/opendata")
# A recompute queues a build of its date's package this many seconds later (a burst of edits gives one build).
OPENDATA_BUILD_DELAY = env.int("OPENDATA_BUILD_DELAY", default=30)
OPENDATA_BUILD_AFTER_RECOMPUTE = env.bool("OPENDATA_BUILD_AFTER_RECOMPUTE", default=True)
# How many past dates' packages are kept besides today's (the oldest built are removed first).
OPENDATA_KEEP_DATES = env.int("OPENDATA_KEEP_DATES", default=60)

# --- Slip indicators ----------------------------------------------------------

# Thresholds of the status rules in shared/docs/indicators.md.
INDICATORS_ON_TRACK_SPI = env.float("INDICATORS_ON_TRACK_SPI", default=0.95)
INDICATORS_AT_RISK_SPI = env.float("INDICATORS_AT_RISK_SPI", default=0.80)
INDICATORS_DEFAULT_REPORTING_INTERVAL_DAYS = 90

# --- Editors' imports ---------------------------------------------------------

# Measured in docs/editors.md: 50,000 measurement rows import in well under a request's time.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# An .xlsx file is a zip: what it holds once unpacked, checked before openpyxl reads it (core.xlsxcheck).
# With these, no accepted upload takes a worker past 200 MB (bench/import_bombs.py; docs/editors.md).
IMPORT_MAX_CELLS = env.int("IMPORT_MAX_CELLS", default=600_000)
IMPORT_MAX_UNZIPPED_BYTES = env.int("IMPORT_MAX_UNZIPPED_BYTES", default=50 * 1024 * 1024)
# Uploaded files wait here between the dry run and the confirmation (never served).
IMPORT_STAGING_DIR = env.path("IMPORT_STAGING_DIR", default=str(VAR_DIR / "imports"))
# Evidence documents editors may upload.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}
# Roll-ups are also stored for the items due in these windows (start, end):
# the 2025-2027 commitments that the policy's critics expect to slip.
INDICATORS_ROLLUP_WINDOWS = [("2025-01-01", "2027-12-31")]
