"""Workmate settings: every value comes from the environment.

The helpers below read one variable each and stop start-up with a message naming
the variable when its value is malformed, as healthchecks' settings do.
"""

from __future__ import annotations

import os
import sys
import tempfile
import urllib.parse
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# Tests run with DEBUG off, as production does, but need no secrets of their own.
TESTING = "pytest" in sys.modules or env_bool("WORKMATE_TESTING", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (./run generates one in var/secret_key)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command, with a heartbeat, replaces theirs.
    "workmate.ops",
    "django_tasks_db",
    "axes",
    "csp",
    # For the Swagger UI files of the API docs at /api/docs.
    "ninja",
    "workmate.accounts",
    "workmate.desk",
    "workmate.work",
    "workmate.voice",
    "workmate.inbox",
    "workmate.checkins",
    "workmate.library",
    "workmate.pipeline",
    "workmate.levels",
    "workmate.reviews",
    "workmate.advisor",
    "workmate.automation",
    "workmate.success",
    "workmate.search",
    "workmate.webhooks",
]

# A form sent without its CSRF token gets a page in the reader's language (workmate/errors.py).
CSRF_FAILURE_VIEW = "workmate.errors.csrf_failure"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: every error under /api/ leaves as JSON, whoever answered it.
    "workmate.lib.jsonerrors.ApiJsonErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workmate.accounts.middleware.PersonalLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workmate.accounts.middleware.HtmxLoginRedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside the others: the refusal is a page in the person's language with the usual
    # security headers.
    "workmate.lib.textinput.RefuseControlCharactersMiddleware",
    # Axes must come last so that it sees the outcome of every login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workmate.urls"
WSGI_APPLICATION = "workmate.wsgi.application"
ASGI_APPLICATION = "workmate.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            # `{% field form.x %}` in every template (workmate/lib/template_builtins.py).
            "builtins": ["workmate.lib.template_builtins"],
        },
    },
]
# Django's form renderer with <select> written in Python: the same HTML, ~60 µs less an
# option (workmate/lib/forms.py).
FORM_RENDERER = "workmate.lib.forms.FormRenderer"

# Database: SQLite under var/ by default, PostgreSQL (or another) through DATABASE_URL.
VAR_DIR = Path(env_str("WORKMATE_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'workmate.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves several web processes and the worker: WAL lets readers run beside
    # one writer, the busy timeout waits for the lock instead of failing, and IMMEDIATE
    # transactions take the write lock up front so two writers never deadlock on upgrade.
    # Connections are kept between requests (DB_CONN_MAX_AGE, as for PostgreSQL): opening
    # one costs more than the queries of a small page (the PRAGMAs, reading the schema,
    # an empty page cache) — a signed-in page answered twice as many requests per second
    # with them kept (bench/README.md). No transaction stays open between requests.
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests use a file rather than memory so that a test can run the real worker process
    # against the test database; the process id keeps simultaneous test runs apart.
    _database["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"workmate-test-{os.getpid()}.sqlite3")
    }
else:
    _database["CONN_HEALTH_CHECKS"] = True
    if _database["ENGINE"] == "django.db.backends.postgresql" and _database["CONN_MAX_AGE"] != 0:
        # The desk queues' statements are prepared on each kept session (desk/queue_sql.py)
        # and planned once there rather than on every request (3–10 ms each); nothing else
        # prepares statements (Django binds parameters on the client). Behind PgBouncer
        # (DB_CONN_MAX_AGE=0) nothing is prepared and this startup option is not sent.
        _options = _database.setdefault("OPTIONS", {})
        _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan"
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "workmate.accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: a handful of failures locks the account + address for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Log-in forms pass the address as `username`; axes would otherwise look for `email` (our
# USERNAME_FIELD), record failures under no name and never match them on the next attempt.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Internationalisation: Korean and English, Seoul time unless a person says otherwise.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "ko")
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Task attachments: the largest file accepted, and the types accepted (checked on upload
# against the file's first bytes as well as the type the browser declares).
WORK_ATTACHMENT_MAX_BYTES = env_int("WORK_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
WORK_ATTACHMENT_TYPES = env_list(
    "WORK_ATTACHMENT_TYPES",
    "image/png,image/jpeg,image/gif,application/pdf,text/plain,text/csv,application/zip,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.presentationml.presentation,"
    "application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint",
)
# Imports: a running Asana import without progress for this long is shown as stalled (its
# worker died) and may be started again.
IMPORT_STALL_MINUTES = env_int("IMPORT_STALL_MINUTES", 15)
# Voice: a proposal with no lead answer after this many working days waits on the leads' list.
VOICE_ANSWER_WORKING_DAYS = env_int("VOICE_ANSWER_WORKING_DAYS", 5)
# Voice: authors may edit their proposal for this many minutes, until a lead answers.
VOICE_EDIT_WINDOW_MINUTES = env_int("VOICE_EDIT_WINDOW_MINUTES", 60)

# Pipeline: the team (by code) that runs PoCs and reviews every new vendor contract.
PIPELINE_TEAM = env_str("PIPELINE_TEAM", "NBD")

# Inbox: how many notifications one person may mark urgent per day (urgent ones are
# e-mailed at once even outside the recipient's working hours).
INBOX_URGENT_PER_DAY = env_int("INBOX_URGENT_PER_DAY", 3)

# Desk: the team whose working calendar is the support calendar SLAs are measured in.
DESK_SUPPORT_TEAM = env_str("DESK_SUPPORT_TEAM", "TE")
# Desk: a ticket is "at risk" once this share (percent) of an SLA target is used.
DESK_AT_RISK_PERCENT = env_int("DESK_AT_RISK_PERCENT", 75)
# Desk: a solved ticket closes by itself after this many days without a reply.
DESK_AUTO_CLOSE_DAYS = env_int("DESK_AUTO_CLOSE_DAYS", 4)
# Desk: the address customers write to (and replies come from), and inbound mail limits.
DESK_SUPPORT_EMAIL = env_str("DESK_SUPPORT_EMAIL", "support@workmate.example")
DESK_INBOUND_HOST = env_str("DESK_INBOUND_HOST", "127.0.0.1")
DESK_INBOUND_PORT = env_int("DESK_INBOUND_PORT", 2525)
DESK_INBOUND_MAX_BYTES = env_int("DESK_INBOUND_MAX_BYTES", 25 * 1024 * 1024)
# Desk: the most a portal message may carry in files, all of them together.
DESK_PORTAL_MAX_TOTAL_BYTES = env_int("DESK_PORTAL_MAX_TOTAL_BYTES", 20 * 1024 * 1024)
# Desk: IMAP mailbox polled by `manage.py fetch_mail` (imap://user:pass@host:993/INBOX?ssl=1).
DESK_IMAP_URL = env_str("DESK_IMAP_URL", "")

# Advisor: the team of LE architects who assess customers' inventories.
ADVISOR_TEAM = env_str("ADVISOR_TEAM", "LE")
# Advisor: the largest inventory file one import accepts (20,000 VMs fit in a few MB).
ADVISOR_IMPORT_MAX_BYTES = env_int("ADVISOR_IMPORT_MAX_BYTES", 50 * 1024 * 1024)

# Success: the SE team (by code) that looks after customers' accounts and feedback.
SUCCESS_TEAM = env_str("SUCCESS_TEAM", "SE")
# Success: the team (by code) feedback is routed to as an SD task.
SUCCESS_SD_TEAM = env_str("SUCCESS_SD_TEAM", "SD")
# Success: remind the SE owner this many days before a renewal date (each once).
try:
    SUCCESS_RENEWAL_REMIND_DAYS = [int(d) for d in env_list("SUCCESS_RENEWAL_REMIND_DAYS", "90,30")]
except ValueError:
    raise ImproperlyConfigured("SUCCESS_RENEWAL_REMIND_DAYS must list whole days: 90,30") from None
# Success: remind the SE owner when a customer of a tier had no meeting for this many days.
SUCCESS_MEETING_GAP_DAYS = {
    tier: env_int(f"SUCCESS_MEETING_GAP_DAYS_{tier.upper()}", days)
    for tier, days in (("enterprise", 30), ("business", 60), ("standard", 90))
}
# Success: remind the SE owner of feedback not answered after this many working days.
SUCCESS_ANSWER_WORKING_DAYS = env_int("SUCCESS_ANSWER_WORKING_DAYS", 10)

# E-mail: EMAIL_URL (smtp://user:pass@host:587/?tls=True), console while developing.
EMAIL_URL = env_str("EMAIL_URL", "console://" if DEBUG else "smtp://localhost:25")
try:
    _email = dj_email_url.parse(EMAIL_URL)
except Exception as exc:
    raise ImproperlyConfigured(f"EMAIL_URL is not an e-mail URL: {exc}") from None
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
# file:///var/mail/outbox writes each message into that folder. dj-email-url drops the
# leading slash of the path (making it relative to wherever the process runs) and Django's
# file backend refuses to start without EMAIL_FILE_PATH, so the path comes from the URL here.
if EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
    EMAIL_FILE_PATH = urllib.parse.unquote(urllib.parse.urlsplit(EMAIL_URL).path)
    if not EMAIL_FILE_PATH:
        raise ImproperlyConfigured(
            "EMAIL_URL file:// needs a folder, e.g. file:///var/mail/workmate."
        )
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Workmate <workmate@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks with the database backend, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Finished background-job results (succeeded or failed) are deleted once a day when older
# than this many days; waiting and running jobs are never touched.
TASK_RESULTS_KEEP_DAYS = env_int("TASK_RESULTS_KEEP_DAYS", 14)

# Outgoing webhooks refuse addresses inside the network (loopback, private, link-local,
# metadata) unless the host is named here, e.g. "chat.office.lan,10.0.0.7".
WEBHOOKS_ALLOWED_HOSTS = env_list("WEBHOOKS_ALLOWED_HOSTS")

# Security headers. Cookies are secure and HSTS is on whenever DEBUG is off; a deployment
# behind plain HTTP on loopback (./run) can opt out with SECURE_COOKIES=false.
SECURE_COOKIES = env_bool("SECURE_COOKIES", not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Sessions in the database, read with one plain statement (workmate/accounts/sessions.py).
SESSION_ENGINE = "workmate.accounts.sessions"
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and SECURE_COOKIES)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG or not SECURE_COOKIES else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env_list("SILENCED_SYSTEM_CHECKS")

# Content Security Policy: only our own scripts and styles; no inline code, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Axes announces itself ("AXES: BEGIN ...") in every process that starts Django.
        "axes.apps": {"level": "WARNING"},
    },
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Running beyond one machine (docs/deploy.md) ---------------------------------------
# The outermost middleware: a request id for every request (X-Request-ID) carried into
# log lines and enqueued jobs, and each request counted and timed for /metrics.
MIDDLEWARE.insert(0, "workmate.ops.middleware.RequestObservationMiddleware")
# /readyz fails when no worker has beaten for this long, or a job ready to run has waited
# longer than this (seconds).
READYZ_HEARTBEAT_SECONDS = env_int("READYZ_HEARTBEAT_SECONDS", 60)
READYZ_QUEUE_AGE_SECONDS = env_int("READYZ_QUEUE_AGE_SECONDS", 300)
# /metrics answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>"; unset, 404.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# A load balancer or Prometheus talks plain HTTP to the backend: the probes answer there
# instead of redirecting to HTTPS (SECURE_SSL_REDIRECT).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Logs: plain messages by default, as before; with LOG_FORMAT=json one JSON object a line
# that names the request (or the request of the job) it belongs to.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING["filters"] = {"request_id": {"()": "workmate.ops.requestid.RequestIdFilter"}}
LOGGING["formatters"] = {
    "text": {"format": "%(message)s"},
    "json": {"()": "workmate.ops.logs.JsonFormatter"},
}
LOGGING["handlers"]["console"].update(formatter=LOG_FORMAT, filters=["request_id"])
# Uploaded files: the local disk under MEDIA_ROOT, or an S3-compatible object store shared
# by every host (STORAGE_URL=s3://bucket/prefix?endpoint_url=…; workmate/ops/storage.py).
from workmate.ops.storage import storage_from_url  # noqa: E402

STORAGE_URL = env_str("STORAGE_URL")
STORAGES["default"] = storage_from_url(STORAGE_URL)
