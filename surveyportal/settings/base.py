"""Complete, production-safe settings; dev.py and test.py relax, production hardens."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from surveyportal.env import cache_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
DEBUG = env_bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "core",
    "accounts",
    "surveys",
    "analysis",
    "exchange",
    "complaints",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "import_export",
    "django_tasks",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view that cannot reach the database answers 503, not 500.
    "core.unavailable.DatabaseUnavailableMiddleware",
    "accounts.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The lockout check runs before any password is checked (django-axes).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "surveyportal.urls"
WSGI_APPLICATION = "surveyportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# The embedded default: a SQLite file in the checkout, so `make run` needs nothing.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        # No `SELECT 1` before each request's first query: it was a quarter of
        # an API submission's database round trips. A connection that failed
        # (errors_occurred) is still tested and dropped at the request's end,
        # so after a PostgreSQL restart each worker thread answers one 503
        # (core.unavailable) and then reconnects.
        conn_health_checks=False,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Private files (complaint photos, generated reports) live outside MEDIA_ROOT:
# they have no public URL and only permission-checked views serve them.
COMPLAINT_PHOTO_ROOT = Path(
    env_str("DJANGO_COMPLAINT_PHOTO_ROOT", str(BASE_DIR / "var" / "complaint_photos"))
)
REPORT_FILES_ROOT = Path(
    env_str("DJANGO_REPORT_FILES_ROOT", str(BASE_DIR / "var" / "reports"))
)
# Retention periods in days (docs/privacy.md); applied by `manage.py apply_retention`.
RETENTION_FOLLOW_UP_CONTACT_DAYS = env_int("RETENTION_FOLLOW_UP_CONTACT_DAYS", 365)
RETENTION_FREE_TEXT_DAYS = env_int("RETENTION_FREE_TEXT_DAYS", None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Celery: without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or None
# Hourly limits, suspected clients and memoised lookups live in the cache: with
# several worker processes it must be shared (Redis), or each process counts
# alone. Production falls back to the broker's Redis (settings/production.py).
CACHES = {"default": cache_config(env_str("DJANGO_CACHE_URL"))}
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# A killed worker's unacknowledged task goes back to the queue after this many
# seconds; it must exceed the longest task's time limit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env_str("CELERY_VISIBILITY_TIMEOUT", "900") or 900)
}
CELERY_BEAT_SCHEDULE: dict = {
    # New responses reach the stored indexes within minutes.
    "recompute-changed-waves": {
        "task": "analysis.tasks.recompute_changed_waves",
        "schedule": 120.0,
    },
    # Surveys open and close at their go-live and expiry times (to the minute).
    "publish-scheduled-pages": {
        "task": "core.tasks.publish_scheduled",
        "schedule": 60.0,
    },
}

# Wagtail's own background work (search index, reference index) goes through
# django-tasks; it is small and runs in the request, where it always has.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

WAGTAIL_SITE_NAME = "嘉兴服务满意度 / Jiaxing Service Satisfaction"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "xlsx", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send a hash of each admin's e-mail address to a third
# party, and the CSP (img-src self) blocks it anyway, leaving a broken image.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGIN_URL = "wagtailadmin_login"

# Content Security Policy (django-csp). Public pages run only our own scripts
# and styles; the Wagtail admin gets ADMIN_CONTENT_SECURITY_POLICY instead
# (accounts/csp.py; docs/security.md says why it allows inline code).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "object-src": [_NONE],
        "frame-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
ADMIN_CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, "'unsafe-inline'"],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:"],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "media-src": [_SELF, "blob:"],
        "worker-src": [_SELF, "blob:"],
        "object-src": [_NONE],
        "frame-src": [_SELF],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        # The page editor shows its live preview in a same-origin frame.
        "frame-ancestors": [_SELF],
    }
}

# Brute-force lockout (django-axes): 5 failures lock the account, and
# separately the address, for 30 minutes. Addresses are stored only as a keyed
# hash (accounts/addresses.py), never as typed.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.hashed_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]
AXES_VERBOSE = False
# Key of the address hash (empty: derived from SECRET_KEY); setting it lets the
# secret key rotate without forgetting current lockouts.
ADDRESS_HASH_KEY = env_str("DJANGO_ADDRESS_HASH_KEY", "")
# How many reverse proxies append to X-Forwarded-For in front of the app
# (0: use the connection's address). docs/deploy.md's nginx is one.
TRUSTED_PROXY_COUNT = int(env_str("DJANGO_TRUSTED_PROXY_COUNT", "0") or 0)

# Two-factor authentication (django-otp, TOTP) for everyone who uses the admin.
OTP_TOTP_ISSUER = "Jiaxing satisfaction"
OTP_TOTP_THROTTLE_FACTOR = 1

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # One line per Wagtail search/reference-index task drowns everything else.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
