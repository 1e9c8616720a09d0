"""The one settings module. Production differs from a laptop only by environment variables.

Sections, in order: core and security; apps and middleware; templates; database; accounts and
sign-in; language and time; static files, media and storage; cache; email; background jobs; the
service's own rules; HTTPS, headers and request limits; sessions; logging."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def gettext_noop(message: str) -> str:
    """Marks a string for makemessages: Django's own would read the settings being made."""
    return message


# --- Core and security ---

# Marked for translation: the pages show them in the reader's language.
SERVICE_NAME = gettext_noop("Workshop feedback")
SERVICE_PHASE = gettext_noop("Alpha")

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY: it is required when DEBUG is off.")
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Apps and middleware ---

INSTALLED_APPS = [
    "feedback_site.apps.FeedbackAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "feedback_site.apps.FeedbackSiteConfig",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "accounts",
    "workshops",
    "actions",
    "progress",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything reads the request, and after the nonce exists for the 400 page.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "feedback_site.hostile_input.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "feedback_site.language.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "feedback_site.typed_input.StashOnSignInRedirectMiddleware",
    "feedback_site.idle_timeout.IdleTimeoutMiddleware",
    "feedback_site.outage.DatabaseOutageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "feedback_site.urls"
WSGI_APPLICATION = "feedback_site.wsgi.application"

# --- Templates ---

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "feedback_site.context_processors.service",
                "feedback_site.language.languages",
                "accounts.context_processors.roles",
                "feedback_site.idle_timeout.session_timeout",
            ],
            # {% translate %} and {% blocktranslate %} in every template without a {% load %}.
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- Database ---

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A slow or hung database answers 503 within these limits instead of holding every worker.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    _db_options["options"] = " ".join(
        [
            _db_options.get("options", ""),
            f"-c statement_timeout={int(os.environ.get('DATABASE_STATEMENT_TIMEOUT', '30'))}s",
            f"-c lock_timeout={int(os.environ.get('DATABASE_LOCK_TIMEOUT', '10'))}s",
        ]
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in ---

AUTH_USER_MODEL = "workshops.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that throttled sign-ins are refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign in by an emailed link, for owners who have no password.
    "sesame.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "signed_in"
LOGOUT_REDIRECT_URL = "workshops:workshop_list"

# Emailed sign-in links work once, for 15 minutes.
SESAME_MAX_AGE = 15 * 60
SESAME_ONE_TIME = True
# At most this many sign-in links per email address, and per IP address, in this many seconds.
SIGN_IN_LINK_RATE = (5, 15 * 60)

# How many proxies in front of the service append to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Failed sign-ins, counted by django-axes.
SIGN_IN_FAILURES_PER_USERNAME = int(os.environ.get("SIGN_IN_FAILURES_PER_USERNAME", "5"))
SIGN_IN_FAILURES_PER_ADDRESS = int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "50"))
SIGN_IN_COOL_OFF_MINUTES = int(os.environ.get("SIGN_IN_COOL_OFF_MINUTES", "15"))
AXES_HANDLER = "accounts.throttle.SignInThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# SignInThrottle counts the limits reached, each against its own setting above.
AXES_FAILURE_LIMIT = 1
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOL_OFF_MINUTES)
AXES_CLIENT_IP_CALLABLE = "feedback_site.rate_limits.client_address"
# The sign-in forms (ours and the admin's) and authenticate() name it "username", not "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttle.sign_in_username"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.locked_out"
# A success must not wipe the address's count: an attacker could sign in to their own account.
AXES_RESET_ON_SUCCESS = False
# Every failed sign-in is kept as a record for the service team (ASVS 7.1: log auth failures).
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The second factor for staff: the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = SERVICE_NAME

# --- Language and time ---

LANGUAGE_CODE = "en-gb"
# Every page outside the admin in English and Welsh: a first visit follows the browser's
# Accept-Language, the header's toggle sets the language cookie after that.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# GOV.UK style dates ("4 July 2012", "4 Gorffennaf 2012") and 24-hour times, overriding
# Django's en_GB and cy formats.
FORMAT_MODULE_PATH = ["feedback_site.formats"]

# --- Static files, media and storage ---

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "build" / "govuk"),
]
# Uploaded photos are only ever served through views that check who is asking.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Flipchart photos. Any Django storage backend works, e.g. django-storages for object storage,
    # configured with a JSON object of options.
    "default": {
        "BACKEND": os.environ.get(
            "FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": json.loads(os.environ.get("FILE_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Cache ---

# Rate limits for emailed links and the public progress page live in the cache. With REDIS_URL
# set, every server shares one Redis (Django's own backend, wrapped so that an unreachable Redis
# answers a miss and a log line, never an error page: feedback_site/cache.py); the timeouts keep
# a hung Redis from holding a worker. Without it, each process keeps its own cache in memory,
# which is right for one process and for tests. Sign-in failures are counted by django-axes in
# the database, and sessions stay in the database too: they must outlive a Redis restart or
# eviction (signing everyone out), and each request reads its session once, by primary key.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "feedback_site.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "feedback"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CONNECT_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": os.environ.get(
                "CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
            ),
            "LOCATION": os.environ.get("CACHE_LOCATION", ""),
        }
    }

# --- Email ---

# Printed to the console while DEBUG is on, as plain readable text (links intact, not
# quoted-printable), and sent by SMTP otherwise.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "feedback_site.mail_backends.ReadableConsoleBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": int(os.environ.get("EMAIL_TIMEOUT", "10")),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Workshop feedback <noreply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Service team", address) for address in env_list("ADMINS")]

# --- Background jobs ---

# Emails and other work that need not happen in the request run as jobs (feedback_site/jobs.py).
# "immediate" (the default) runs each job in-process once the change that queued it commits, so
# a laptop and the tests need nothing more; "database" queues them in the service's own database
# (django-tasks-db), in the same transaction as the change, for `manage.py db_worker` processes.
TASKS_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}")
TASKS = {"default": {"BACKEND": TASKS_BACKENDS[TASKS_BACKEND]}}
# A failing job is tried this many times in all, waiting JOBS_FIRST_RETRY_AFTER seconds before
# the second attempt and twice as long before each one after it.
JOBS_ATTEMPTS = int(os.environ.get("JOBS_ATTEMPTS", "5"))
JOBS_FIRST_RETRY_AFTER = int(os.environ.get("JOBS_FIRST_RETRY_AFTER", "60"))
# A job running longer than this many seconds is taken to have lost its worker and is put back
# on the queue by the scheduler; every job finishes far sooner (one email has a 10 s timeout).
JOBS_RUNNING_TIMEOUT = int(os.environ.get("JOBS_RUNNING_TIMEOUT", str(30 * 60)))
# Finished jobs' records are kept this many days (failed ones too, for the organisers to see).
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "30"))

# --- The service's own rules ---

# Every question raised is acknowledged, then closed, within these many working days.
QUESTION_ACKNOWLEDGE_WORKING_DAYS = int(os.environ.get("QUESTION_ACKNOWLEDGE_WORKING_DAYS", "5"))
QUESTION_CLOSE_WORKING_DAYS = int(os.environ.get("QUESTION_CLOSE_WORKING_DAYS", "20"))

# A link to confirm following a workshop works for this long; unsubscribe links never expire.
FOLLOW_CONFIRM_MAX_AGE_HOURS = int(os.environ.get("FOLLOW_CONFIRM_MAX_AGE_HOURS", "72"))
# Confirmation emails one address may be sent in an hour.
FOLLOW_REQUESTS_PER_HOUR = int(os.environ.get("FOLLOW_REQUESTS_PER_HOUR", "5"))
# Questions and views the online form takes in an hour from one client address, and for one
# workshop from everyone.
ONLINE_CONTRIBUTIONS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("ONLINE_CONTRIBUTIONS_PER_ADDRESS_PER_HOUR", "10")
)
ONLINE_CONTRIBUTIONS_PER_WORKSHOP_PER_HOUR = int(
    os.environ.get("ONLINE_CONTRIBUTIONS_PER_WORKSHOP_PER_HOUR", "300")
)

# Where the service is reached from outside, for links in emails (sign-in links, reminders,
# digests); in production the first allowed host over HTTPS unless set. Locally it follows PORT,
# which `make run PORT=8100` passes on, so emailed links reach the server actually running.
SITE_URL = (
    os.environ.get("SITE_URL")
    or (
        f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
        if DEBUG or not ALLOWED_HOSTS
        else f"https://{ALLOWED_HOSTS[0]}"
    )
).rstrip("/")

# Where people write to the team running the service: feedback, accessibility problems,
# requests to see or delete personal data. Shown on the feedback, accessibility and privacy pages.
SERVICE_CONTACT_EMAIL = os.environ.get("SERVICE_CONTACT_EMAIL", "workshop-feedback@example.gov.uk")

# How long personal data is kept (see the privacy notice); `manage.py clean_up_retention`
# deletes what is older. A follower's address goes when they unsubscribe, or after this long.
FOLLOWER_RETENTION_DAYS = int(os.environ.get("FOLLOWER_RETENTION_DAYS", str(2 * 365)))
# An asker's confirmed address, kept to tell them the answer, goes when they ask or after this long.
ASKER_RETENTION_DAYS = int(os.environ.get("ASKER_RETENTION_DAYS", "365"))
# Records of sign-ins and failed sign-ins (address, IP address, browser) are kept this long.
SIGN_IN_RECORD_RETENTION_DAYS = int(os.environ.get("SIGN_IN_RECORD_RETENTION_DAYS", "90"))

# History is a record, not an undo button: a revert would bypass the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- HTTPS, headers and request limits ---

# Secure by default whenever DEBUG is off; each can be relaxed by its variable (the session
# cookie's too, under Sessions).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_FAILURE_VIEW = "feedback_site.views.csrf_failure"

SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Admin scripts and form media carry no nonce yet, so scripts are allowed from 'self' too.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # The one inline style attribute simple-history's admin history page carries, by its hash.
    "style-src": [
        CSP.SELF,
        CSP.UNSAFE_HASHES,
        "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
    ],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Browser features the service never uses, denied to every page and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

# Request limits, set deliberately: a request over any of them gets the 400 page.
# The largest form body (photos excepted) held in memory: a page of notes is far below it.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FIELDS", "1000"))
DATA_UPLOAD_MAX_NUMBER_FILES = int(os.environ.get("DATA_UPLOAD_MAX_NUMBER_FILES", "10"))
MAX_QUERY_STRING_LENGTH = int(os.environ.get("MAX_QUERY_STRING_LENGTH", "4096"))
# Uploads larger than this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024))

# --- Sessions ---

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
# Signed-in sessions end after this many seconds without a request, and after the absolute limit
# however active; pages warn this many seconds before the end and offer to extend.
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(12 * 60 * 60)))
SESSION_TIMEOUT_WARNING = int(os.environ.get("SESSION_TIMEOUT_WARNING", "120"))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

# --- Logging ---

# JSON lines on stderr in production, plain text while DEBUG is on.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    # Axes narrates every attempt at INFO; its warnings (failures, lockouts) are the useful part.
    # WeasyPrint narrates each step of every PDF at INFO.
    "loggers": {
        "axes": {"level": os.environ.get("AXES_LOG_LEVEL", "WARNING")},
        "weasyprint": {"level": "WARNING"},
    },
}
