"""Django settings for kitei, driven by environment variables (see docs/operations.md).

KITEI_DATABASE_URL   database (default: SQLite in KITEI_DATA_DIR, WAL mode)
KITEI_DATA_DIR       where the SQLite file lives (default: ./data)
KITEI_SECRET_KEY     required unless KITEI_DEBUG=1
KITEI_DEBUG          1 for development
KITEI_ALLOWED_HOSTS  comma-separated host names
KITEI_SESSION_AGE    seconds a session lives without activity (default 28800 = 8 hours)
KITEI_EVIDENCE_DIR   where evidence files live (default: KITEI_DATA_DIR/evidence)
KITEI_EVIDENCE_STORAGE          dotted path of another storage backend for evidence files
KITEI_EVIDENCE_STORAGE_OPTIONS  its options, as a JSON object
KITEI_EVIDENCE_MAX_BYTES        the largest evidence file accepted (default 20 MiB)
KITEI_CHECKPOINT_KEY, KITEI_CHECKPOINT_KEY_FILE  the key of audit checkpoints, or a file holding it
KITEI_CHECKPOINT_FILE, KITEI_CHECKPOINT_SYSLOG, KITEI_CHECKPOINT_MAIL  where checkpoints go
KITEI_HTTPS          1 behind TLS: Secure cookies, redirect to https, HSTS
KITEI_HSTS_SECONDS   HSTS max-age with KITEI_HTTPS (default 31536000 = 1 year)
KITEI_HSTS_INCLUDE_SUBDOMAINS   0 to leave subdomains out of HSTS (default 1)
KITEI_TRUST_PROXY_HEADER        1: X-Forwarded-Proto from the reverse proxy says https
KITEI_TRUSTED_PROXIES           addresses or networks of the reverse proxies in front: only
                                from them is X-Forwarded-For believed (the failed-login limits)
KITEI_TRUSTED_PROXY_COUNT       older setting: N > 0 without KITEI_TRUSTED_PROXIES means a
                                proxy on this host (127.0.0.1, ::1)
KITEI_CSRF_TRUSTED_ORIGINS      comma-separated origins (https://kitei.example.lg.jp)
KITEI_LOGIN_FAILED_PER_ACCOUNT  failed logins before an account locks (default 5/15m)
KITEI_LOGIN_FAILED_PER_ADDRESS  failed logins from one address before it waits (default 50/15m)
KITEI_IMPORT_TASK_ROWS          a register import of more rows runs in the background
                                (default 2000)
KITEI_AUDIT_EXPORT_ROWS         the most audit records one .xlsx export holds (default 10000)
KITEI_IMPORT_MAX_UPLOAD_BYTES   the largest register file a page accepts (default 20 MiB)
KITEI_IMPORT_MAX_UNCOMPRESSED_BYTES  an .xlsx may expand to this much (default 256 MiB)
KITEI_IMPORT_MAX_ROWS           rows a register file may have (default 200000)
KITEI_IMPORT_MAX_SECONDS        seconds reading a register file may take (default 300)
KITEI_EMAIL_BACKEND             Django's mail backend (default: the console; `kitei demo`:
                                files, one per message)
KITEI_EMAIL_FILE_PATH           where the file backend writes (default: KITEI_DATA_DIR/mail)
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KITEI_DATA_DIR", Path.cwd() / "data")).resolve()


def _flag(name: str, default: str = "") -> bool:
    """An on/off environment setting: on when it is `1`."""
    return os.environ.get(name, default) == "1"


def _list(name: str, default: str = "") -> list[str]:
    """A comma-separated environment setting."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = _flag("KITEI_DEBUG")
SECRET_KEY = os.environ.get("KITEI_SECRET_KEY") or (
    "kitei-insecure-development-key-only-for-debug" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("KITEI_SECRET_KEY must be set (or KITEI_DEBUG=1 for development)")
ALLOWED_HOSTS = _list("KITEI_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "kitei.core.admin_app.ReadOnlyAdminConfig",  # django.contrib.admin, read-only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",  # its packaged Swagger UI files: the API docs load nothing from a CDN
    "csp",  # its system checks of CONTENT_SECURITY_POLICY
    "django_tasks",
    "django_tasks_db",
    "kitei.core",
    "kitei.people",
    "kitei.systems",
    "kitei.assets",
    "kitei.approvals",
    "kitei.records",
    "kitei.corrective",
    "kitei.duties",
    "kitei.incidents",
    "kitei.audits",
    "kitei.inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kitei.core.language.LanguageMiddleware",  # Japanese unless switched (not Accept-Language)
    # After the language is chosen: the JSON errors of /api/ speak it too.
    "kitei.core.api.errors.JsonApiErrorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kitei.core.middleware.SecurityGateMiddleware",
    "kitei.core.input_guard.InputGuardMiddleware",
]

ROOT_URLCONF = "kitei.urls"
WSGI_APPLICATION = "kitei.wsgi.application"
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
                "kitei.core.context.organization",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'kitei.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("KITEI_DATABASE_URL", _default_db), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=wal; PRAGMA synchronous=normal;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id at OWASP's parameters (kitei.core.passwords); hashes stored by the others are
# re-hashed with it at their owner's next login.
PASSWORD_HASHERS = [
    "kitei.core.passwords.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn: refuses what is long but guessable (aaaaaaaaaaaa, passwordpassword …).
    {"NAME": "kitei.core.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
]

# Accounts (django-allauth): username login, no self sign-up, 入力回数制限 on failures.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_ADAPTER = "kitei.core.accounts.AccountAdapter"
# 入力回数制限 (kitei.core.lockout): failed logins lock the account for a while, and failed
# logins from one address make that address wait. Only failures count: a whole 課 behind one
# proxy or NAT address signing in at 8:30 is never refused (no limit on logins as such).
LOGIN_FAILED_PER_ACCOUNT = os.environ.get("KITEI_LOGIN_FAILED_PER_ACCOUNT", "5/15m")
LOGIN_FAILED_PER_ADDRESS = os.environ.get("KITEI_LOGIN_FAILED_PER_ADDRESS", "50/15m")
for _name, _rate in (
    ("KITEI_LOGIN_FAILED_PER_ACCOUNT", LOGIN_FAILED_PER_ACCOUNT),
    ("KITEI_LOGIN_FAILED_PER_ADDRESS", LOGIN_FAILED_PER_ADDRESS),
):
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", _rate):
        raise RuntimeError(f"{_name} must be COUNT/PERIOD, e.g. 5/15m (s, m, h or d): {_rate!r}")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILED_PER_ADDRESS}/ip,{LOGIN_FAILED_PER_ACCOUNT}/key",
    "login": "",
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_VERIFICATION = "none"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_FORMS = {"change_password": "kitei.people.accounts.ChangePasswordForm"}


def _user_display(user: Any) -> str:
    """People appear by their name in the people register, accounts without one by login."""
    from kitei.core.tenancy import display_name  # noqa: PLC0415 - settings load before apps

    return display_name(user)


ACCOUNT_USER_DISPLAY = _user_display
# Shared terminals: a session ends with the browser, and after SESSION_COOKIE_AGE idle.
ACCOUNT_SESSION_REMEMBER = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "kitei.core.accounts.MFAAdapter"
MFA_TOTP_ISSUER = "kitei"
# Accept the code of the neighbouring 30-second step too (RFC 6238 5.2: clock drift).
MFA_TOTP_TOLERANCE = 1
# The failed-login counters (入力回数制限) must be shared by every gunicorn worker, so they
# live in a file cache beside the database rather than in one process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

SESSION_COOKIE_AGE = int(os.environ.get("KITEI_SESSION_AGE", "28800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "kitei.core.errors.csrf_failure"  # in Japanese, saying what to do

# Production behind TLS (docs/operations.md「本番環境の設定」): cookies only over https, plain
# http redirected, and browsers told to use https only (HSTS) for KITEI_HSTS_SECONDS.
HTTPS = _flag("KITEI_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("KITEI_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and _flag("KITEI_HSTS_INCLUDE_SUBDOMAINS", "1")
# A closed network (LGWAN) is never on the browsers' public preload list: its warning is moot.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Only when the reverse proxy sets X-Forwarded-Proto itself (overwriting the client's) and
# nothing but the proxy can reach kitei: otherwise anyone could claim https.
if _flag("KITEI_TRUST_PROXY_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = _list("KITEI_CSRF_TRUSTED_ORIGINS")
# The client address for the failed-login limits (kitei.core.lockout.client_address):
# X-Forwarded-For is believed only from a connection of a listed proxy, and read from the
# right past the listed proxies. allauth itself never reads the header.
TRUSTED_PROXIES = _list("KITEI_TRUSTED_PROXIES")
if not TRUSTED_PROXIES and int(os.environ.get("KITEI_TRUSTED_PROXY_COUNT", "0")) > 0:
    TRUSTED_PROXIES = ["127.0.0.1", "::1"]  # the older setting: a proxy on this host
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise RuntimeError(
            f"KITEI_TRUSTED_PROXIES must list addresses or networks (192.0.2.10, 10.0.0.0/24): "
            f"{_proxy!r}"
        ) from _error
ALLAUTH_TRUSTED_PROXY_COUNT = 0

# Content-Security-Policy (django-csp): nothing inline, nothing from another host. Scripts and
# styles are files under /static/; htmx is configured by a meta tag (base.html) so that it
# neither evaluates code nor injects a style element. The TOTP QR code is a data: image.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # kitei/kitei.css: the package itself is no app
# Evidence files (証拠ファイル): immutable attachments, read and written only through
# kitei.core.evidence. A folder under the data directory unless another backend is named.
EVIDENCE_DIR = Path(os.environ.get("KITEI_EVIDENCE_DIR", DATA_DIR / "evidence")).resolve()
EVIDENCE_MAX_BYTES = int(os.environ.get("KITEI_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
_evidence_backend = os.environ.get("KITEI_EVIDENCE_STORAGE", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    "evidence": {
        "BACKEND": _evidence_backend,
        "OPTIONS": json.loads(os.environ.get("KITEI_EVIDENCE_STORAGE_OPTIONS", "{}")),
    }
    if _evidence_backend
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Only the server's account reads them: evidence may hold personal data.
        "OPTIONS": {
            "location": str(EVIDENCE_DIR),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
WHITENOISE_USE_FINDERS = True
# Audit checkpoints (kitei.core.checkpoint): the key never enters the database; where the
# periodic checkpoint goes when `kitei audit checkpoint` names no destination.
CHECKPOINT_KEY = os.environ.get("KITEI_CHECKPOINT_KEY", "")
CHECKPOINT_KEY_FILE = os.environ.get("KITEI_CHECKPOINT_KEY_FILE", "")
CHECKPOINT_FILE = os.environ.get("KITEI_CHECKPOINT_FILE", "")
CHECKPOINT_SYSLOG = os.environ.get("KITEI_CHECKPOINT_SYSLOG", "") == "1"
CHECKPOINT_MAIL = [a for a in os.environ.get("KITEI_CHECKPOINT_MAIL", "").split(",") if a]
# Background and periodic work (Django's tasks framework, `django-tasks` backport): tasks
# wait in the database until `kitei worker` runs them, so a closed network needs no queue
# server. Periodic jobs are enqueued by cron or a systemd timer (`kitei tasks periodic`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# kitei's own operational threshold, not a policy number: a register import of more rows
# than this runs as a task whose progress the import page shows; smaller ones run at once.
IMPORT_TASK_ROWS = int(os.environ.get("KITEI_IMPORT_TASK_ROWS", "2000"))
# kitei's own limit, not a policy number: an audit-trail export of more records is refused
# with a message asking for a narrower period (a workbook is built in memory).
AUDIT_EXPORT_ROWS = int(os.environ.get("KITEI_AUDIT_EXPORT_ROWS", "10000"))
# Bounds on reading a register file (kitei.core.tabular), kitei's operational limits: what an
# upload may weigh, what its .xlsx parts may expand to (a 100,000-row register as kitei
# writes it is 5 MB holding 72 MB of XML), its rows and the time spent reading it.
IMPORT_MAX_UPLOAD_BYTES = int(
    os.environ.get("KITEI_IMPORT_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
)
IMPORT_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("KITEI_IMPORT_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024))
)
IMPORT_MAX_ROWS = int(os.environ.get("KITEI_IMPORT_MAX_ROWS", "200000"))
IMPORT_MAX_SECONDS = float(os.environ.get("KITEI_IMPORT_MAX_SECONDS", "300"))
# No request body larger than the largest file kitei accepts (plus its form) is read: a
# bigger one is refused before Django spools it to disk (kitei.core.input_guard).
MAX_REQUEST_BYTES = max(EVIDENCE_MAX_BYTES, IMPORT_MAX_UPLOAD_BYTES) + 1024 * 1024
EMAIL_BACKEND = os.environ.get(
    "KITEI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
# Where the file backend (`kitei demo`) writes each message, one file per message.
EMAIL_FILE_PATH = os.environ.get("KITEI_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
