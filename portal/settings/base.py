"""Settings shared by every environment; each value can be overridden from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the embedded default writes (SQLite, broker queue, mail, cache, media) lives here.
VAR_DIR = Path(env("ENTITLE_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_filters",
    "django_htmx",
    "django_countries",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "portal.core",
    "accounts",
    "licensing",
    "renewals",
    "support",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # First of the portal's own: every request starts in its own language (the cookie, else the
    # browser's), so a page answered early (413) is not in the thread's previous request's.
    "django.middleware.locale.LocaleMiddleware",
    # Below WhiteNoise (static files keep their own caching), above everything that reads the
    # body (CSRF) or the session.
    "portal.middleware.RequestBodyCapMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # E2: the signed-in user's own language, over LocaleMiddleware's cookie/browser choice.
    "portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: it tells the signed-out user why with a message (A6).
    "portal.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.RequireMFAMiddleware",
    "portal.middleware.ConfirmSiteNumberMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",  # last: a 503 when the database is out
]

# The request body cap (portal.middleware.RequestBodyCapMiddleware): a little above the CSV
# import's 50 MB file limit (L6, licensing.imports), for the multipart envelope and fields.
MAX_REQUEST_BODY_BYTES = env.int("MAX_REQUEST_BODY_BYTES", default=51 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "portal.middleware.BodyCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.navigation",
                "portal.context_processors.brand",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker and beat write while runserver reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# Sessions (A6): 30 idle minutes (cookie age renewed on every request) and at most
# 12 hours after sign-in (portal.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-allauth (A6)
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # keep this session; Django ends the others (A6)
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {  # rates, not passwords # nosec B105
    "login": "30/m/ip",
    "login_failed": "5/5m/key,20/5m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "signup": "20/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Entitle] "
# A6: the client address rate limits count. Behind N trusted reverse proxies, the client is the
# N-th address from the right of X-Forwarded-For (or the one a named header gives); with no
# proxy configured, REMOTE_ADDR is used and a client's own X-Forwarded-For is ignored.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", default=None)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Entitle"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"

# `manage.py demo_data` creates a superuser whose password and TOTP secret are in the README:
# only the local and test settings allow it (SPEC §6).
DEMO_DATA_ALLOWED = False

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Internationalisation: every user-facing string is marked; English only for now.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The PDFs' Chinese font (a 4 MB .ttf, issue #10) is read by WeasyPrint, never sent to a
# browser: compressing it at every collectstatic (gzip and brotli) buys nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf")

CACHES = {
    "default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}"),
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Entitle <no-reply@entitle.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# S4, S5, S9: support's own addresses. Staff in the "Support staff" and "Support managers"
# groups are notified by name; these are the shared addresses used when a group is empty,
# and the on-call pager that severity 1 reaches at once.
SUPPORT_ONCALL_EMAIL = env("SUPPORT_ONCALL_EMAIL", default="oncall@support.entitle.example")
SUPPORT_DESK_EMAIL = env("SUPPORT_DESK_EMAIL", default="desk@support.entitle.example")
SUPPORT_MANAGERS_EMAIL = env("SUPPORT_MANAGERS_EMAIL", default="managers@support.entitle.example")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# E1, the outbox (portal/core/mail.py): a row still pending this long after it was written is
# sent by the sweeper (its task never ran: broker down); a row claimed this long ago and never
# marked is "outcome unknown" for staff; temporary errors are retried this many times.
EMAIL_SWEEP_GRACE = timedelta(seconds=env.int("EMAIL_SWEEP_GRACE_SECONDS", default=180))
EMAIL_SEND_LEASE = timedelta(seconds=env.int("EMAIL_SEND_LEASE_SECONDS", default=600))
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=8)

# Celery: a broker that needs no server by default (kombu's filesystem transport).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
# Redis re-delivers a task whose worker died unacknowledged after this many seconds; the
# outbox's claim keeps such a re-delivery from sending an e-mail twice (E1).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Issue #10 item 4 (tests/faults): a worker started before its broker waits for it, and a
# broker lost mid-task lets the task finish (each job commits its work piece by piece and a
# re-delivery finds it done, E1); pinned: Celery announces changes to both in 6.0.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "email-outbox-sweep": {
        "task": "portal.core.mail.email_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    "clear-expired-sessions": {
        "task": "portal.core.tasks.sessions_clear",
        "schedule": timedelta(hours=6),
    },
    # L10 (N10): notice new releases and send the at-once e-mails; then the weekly digests,
    # run daily so a missed day is caught up (each user gets at most one per ISO week).
    "licensing-notify-updates": {
        "task": "licensing.tasks.updates_notify_due_task",
        "schedule": crontab(hour=5, minute=10),
    },
    "licensing-update-digests": {
        "task": "licensing.tasks.update_digests_send_task",
        "schedule": crontab(hour=6, minute=10),
    },
    # --- renewals (N10): notices, revised quotes, quote expiry ---
    # Expiry first, so a monthly notice deferred behind an anniversary quote that just
    # expired goes out the same morning (renewals.notices); revisions after the notices.
    "renewals-expire-quotes": {
        "task": "renewals.tasks.quotes_expire_task",
        "schedule": crontab(hour=4, minute=10),
    },
    "renewals-send-notices": {
        "task": "renewals.tasks.renewal_notices_send_task",
        "schedule": crontab(hour=4, minute=20),
    },
    "renewals-send-revised-quotes": {
        "task": "renewals.tasks.revised_quotes_send_task",
        "schedule": crontab(hour=4, minute=30),
    },
    # --- renewals (N10): VIP reconciliation, 3YC invitations, reminders, enforcement ---
    # Enforcement runs before reminders and invitations: a broken term is not reminded.
    "renewals-vip-reconciliation": {
        "task": "renewals.tasks.vip_reconciliation_task",
        "schedule": crontab(hour=2, minute=40),
    },
    "renewals-commitment-enforcement": {
        "task": "renewals.tasks.commitment_enforcement_task",
        "schedule": crontab(hour=2, minute=50),
    },
    "renewals-commitment-reminders": {
        "task": "renewals.tasks.commitment_reminders_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "renewals-commitment-invitations": {
        "task": "renewals.tasks.commitment_invitations_task",
        "schedule": crontab(hour=3, minute=10),
    },
    # --- support (N10, S6): overdue returns of advance-replacement units ---
    "support-flag-overdue-returns": {
        "task": "support.tasks.replacements_overdue_flag_task",
        "schedule": crontab(hour=5, minute=40),
    },
    # --- support (S4) ---
    # The SLA monitor: at-risk and breached tickets, support staff told once each.
    "support-sla-monitor": {
        "task": "support.tasks.sla_monitor_task",
        "schedule": timedelta(minutes=5),
    },
}

# Enrolment and invitations (A5)
INVITATION_LIFETIME = timedelta(days=7)

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
