"""Settings for the 精致幸福社区 campaign system.

Everything that differs between a laptop, CI and production is an environment
variable read through the small typed helpers below. With no variables set the
app runs on SQLite under ./var with Celery tasks executed in-process.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    # A laptop or CI run needs no set-up: keep a generated key beside the SQLite file.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Behind nginx the client address arrives in X-Forwarded-For; only trust it when told to.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "communities",
    "scoring",
    "standards",
    "campaign",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each part of an app keeps its own templates (campaign/survey/templates/…); their
        # names stay namespaced by app and part ("campaign/survey/detail.html").
        "DIRS": [
            BASE_DIR / "templates",
            *sorted(
                path
                for app in ("campaign", "scoring")
                for path in (BASE_DIR / app).glob("*/templates")
            ),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {
                "evidence_tags": "campaign.pipeline.evidence_tags",
                "survey_figures": "campaign.pipeline.survey_figures",
                "form_tags": "campaign.pipeline.form_tags",
            },
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaign.home.navigation.navigation",
            ],
        },
    },
]

# Database: SQLite under DATA_DIR unless DATABASE_URL names a server.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # The embedded default serves a clerk whose page autosaves every item: readers never wait
    # for a writer (WAL), a writer waits for another instead of failing at once (timeout), and
    # each transaction takes the write lock when it begins (IMMEDIATE) — a transaction that
    # reads and then writes would otherwise fail "database is locked" without waiting.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "db.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
            },
        }
    }
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
TEST_RUNNER = "tests.runner.StackTestRunner"

# Redis is the Celery broker and the shared cache (login lockout counters) when configured.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "jzxf"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Separate queues so a long export never delays a recompute; one worker may serve all three.
CELERY_TASK_ROUTES = {
    "*.export_*": {"queue": "exports"},
    "*.recompute_*": {"queue": "recompute"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

AUTHENTICATION_BACKENDS = ["campaign.kernel.auth.ProfileModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "campaign.kernel.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)

# Idle-session timeout: the cookie expires this long after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", gettext_lazy("Simplified Chinese"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded files are private: no MEDIA_URL, they are only ever served through views
# that check the viewer's rights.
PRIVATE_FILES_DIR = DATA_DIR / "private"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_DIR, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Spreadsheet imports: largest accepted upload and where files wait between preview and confirm.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 10) * 1024 * 1024
IMPORT_STAGING_DIR = DATA_DIR / "import-staging"
# Exported workbooks: private, downloadable by their requester for EXPORT_EXPIRY_HOURS; a job
# whose worker has not reported progress for EXPORT_STALE_SECONDS is taken as lost (failed), as
# is one no worker picked up within EXPORT_QUEUE_TIMEOUT_MINUTES (a lost message).
EXPORT_DIR = PRIVATE_FILES_DIR / "exports"
EXPORT_EXPIRY_HOURS = env_int("EXPORT_EXPIRY_HOURS", 24)
EXPORT_STALE_SECONDS = env_int("EXPORT_STALE_SECONDS", 120)
EXPORT_QUEUE_TIMEOUT_MINUTES = env_int("EXPORT_QUEUE_TIMEOUT_MINUTES", 60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True

# Evidence files (佐证材料): limits, where they are kept (private, never under a URL) and how
# they leave: "django" streams them, "x-accel" (nginx) and "x-sendfile" (Apache, lighttpd)
# let the web server send the file after the view has checked the viewer's rights.
EVIDENCE_MAX_FILE_BYTES = env_int("EVIDENCE_MAX_FILE_MB", 20) * 1024 * 1024
EVIDENCE_MAX_SUBMISSION_BYTES = env_int("EVIDENCE_MAX_SUBMISSION_MB", 200) * 1024 * 1024
EVIDENCE_DIR = Path(env_str("EVIDENCE_DIR", str(PRIVATE_FILES_DIR / "evidence")))
EVIDENCE_SERVE = env_str("EVIDENCE_SERVE", "django")
if EVIDENCE_SERVE not in {"django", "x-accel", "x-sendfile"}:
    raise ImproperlyConfigured(
        f"EVIDENCE_SERVE must be django, x-accel or x-sendfile, got {EVIDENCE_SERVE!r}"
    )
EVIDENCE_ACCEL_PREFIX = env_str("EVIDENCE_ACCEL_PREFIX", "/protected/evidence/")

# The review pipeline. A member unit may move an item's audited score by at most this share
# of the item's points (in half points). The public notice (公示) lasts this many working days
# of the State Council's calendar (the chinesecalendar package, 调休 included); the listed
# public holidays (YYYY-MM-DD, comma-separated) are off in any case, and stand in for the
# calendar in a year the package has not published yet (weekdays otherwise). Objections
# from one address are limited per hour.
JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT = env_int("JOINT_REVIEW_MAX_ADJUSTMENT_PERCENT", 20)
NOTICE_WORKING_DAYS = env_int("NOTICE_WORKING_DAYS", 5)
NOTICE_HOLIDAYS = env_list("NOTICE_HOLIDAYS", [])
OBJECTIONS_PER_HOUR = env_int("OBJECTIONS_PER_HOUR", 5)

# The satisfaction survey. Printed QR codes point at this address (the public one residents'
# phones reach, e.g. https://survey.example.gov.cn); empty means the address the office is
# using when it prints.
SURVEY_PUBLIC_BASE_URL = env_str("SURVEY_PUBLIC_BASE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
