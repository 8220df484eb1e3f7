"""The one settings module. Everything comes from the environment.

Variables (see docs/operations.md):
  DATABASE_URL          default sqlite:///<var>/shequ.sqlite3 (embedded default)
  SHEQU_SECRET_KEY      Django secret key
  SHEQU_DATA_KEY        64 hex chars: master key for personal data (SM4 + SM3 blind index)
  SHEQU_DATA_KEY_VERSION   its version number (1..255, default 1), written into every ciphertext
  SHEQU_DATA_KEYS_RETIRED  "1:<hex>,…": earlier keys, decrypt-only, while `shequ rekey` runs
  SHEQU_BACKUP_KEY      32 hex chars: SM4 key of `shequ backup` files (never generated)
  SHEQU_DEBUG           1 for development
  SHEQU_ALLOWED_HOSTS   comma-separated host names
  SHEQU_VAR_DIR         where the embedded database, uploads and generated keys live
  SHEQU_CACHE_URL       e.g. redis://127.0.0.1:6379/0 (default: in-process memory)
  SHEQU_TRUSTED_PROXIES addresses or networks of the reverse proxies whose
                        X-Forwarded-For is believed (default none: the header is ignored)
  SHEQU_SESSION_IDLE_MINUTES, SHEQU_PASSWORD_MAX_AGE_DAYS, SHEQU_PASSWORD_WARN_DAYS,
  SHEQU_PASSWORD_HISTORY, SHEQU_DORMANT_DAYS, SHEQU_LOGIN_IP_MAX_FAILURES
                        the 等保 account controls (docs/security.md; defaults 30, 90, 7, 5, 90, 30)
  SHEQU_RESIDENT_RETENTION_DAYS  days after 迁出 until a resident's personal data
                        is erased (default 1095, three years)

When SHEQU_SECRET_KEY or SHEQU_DATA_KEY is unset, keys are generated once into
<var>/keys.env so that the embedded demo works out of the box; production sets
both explicitly (a system check refuses generated keys when SHEQU_DEBUG is off).
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SHEQU_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _generated_keys() -> dict[str, str]:
    """Keys for a machine that was given none: made once, kept in var/keys.env."""
    path = VAR_DIR / "keys.env"
    keys: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if value:
                keys[name.strip()] = value.strip()
    if not {"SHEQU_SECRET_KEY", "SHEQU_DATA_KEY"} <= keys.keys():
        keys.setdefault("SHEQU_SECRET_KEY", secrets.token_urlsafe(50))
        keys.setdefault("SHEQU_DATA_KEY", secrets.token_hex(32))
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{k}={v}\n" for k, v in keys.items()), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(path)
    return keys


DEBUG = _env_bool("SHEQU_DEBUG", False)
_keys = {}
if not (os.environ.get("SHEQU_SECRET_KEY") and os.environ.get("SHEQU_DATA_KEY")):
    _keys = _generated_keys()
SECRET_KEY = os.environ.get("SHEQU_SECRET_KEY") or _keys["SHEQU_SECRET_KEY"]
SHEQU_DATA_KEY = os.environ.get("SHEQU_DATA_KEY") or _keys["SHEQU_DATA_KEY"]
# Key rotation (docs/operations.md §8): the current key's version number, and
# retired keys kept for decryption only until `shequ rekey` has run, as
# "1:<hex>,2:<hex>".
SHEQU_DATA_KEY_VERSION = int(os.environ.get("SHEQU_DATA_KEY_VERSION", "1"))
SHEQU_DATA_KEYS_RETIRED = os.environ.get("SHEQU_DATA_KEYS_RETIRED", "")
# `shequ backup` / `shequ restore` (docs/operations.md §9): 32 hex chars (SM4-128),
# kept apart from the backups; never generated, the commands refuse without it.
SHEQU_BACKUP_KEY = os.environ.get("SHEQU_BACKUP_KEY", "")
SHEQU_KEYS_GENERATED = bool(_keys)

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SHEQU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SHEQU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    # The second factor of the administrators' login (TOTP, docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shequ.core",
    "shequ.residents",
    "shequ.desk",
    "shequ.whistles",
    "shequ.deliberation",
    "shequ.appeals",
    "shequ.party",
    "shequ.open311",
    # depends on every app above; nothing depends on it
    "shequ.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shequ.core.middleware.ActorMiddleware",
    "shequ.core.bodies.UndecodableBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shequ.urls"
WSGI_APPLICATION = "shequ.wsgi.application"

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
                "shequ.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'shequ.sqlite3'}",
        conn_max_age=int(os.environ.get("SHEQU_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE makes a
    # write transaction take the lock at BEGIN, so concurrent writers queue
    # instead of failing with "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: Shequ's queries are short and indexed, and PostgreSQL's JIT
    # compiles any aggregate it estimates as costly (a district's open cases)
    # for ~70 ms that the query then does not win back (docs/operations.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("SHEQU_TEST_DB_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["SHEQU_TEST_DB_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

_cache_url = os.environ.get("SHEQU_CACHE_URL", "")
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Every session's absolute lifetime, counted from its login (not renewed by
# activity: shequ.core.sessions enforces it).
SESSION_COOKIE_AGE = 8 * 3600


def _env_positive(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(f"{name}: “{value}” is not a positive whole number")
    return int(value)


# 等保 level-3 account controls (docs/security.md): a staff session ends after
# this many idle minutes; the administrators' passwords expire after this many
# days (a warning on every page the last few), and may not repeat the last
# few; an account of the district's staff unused this many days is disabled
# by `shequ tick`; this many failed logins from one address in the lock
# period refuse that address.
SHEQU_SESSION_IDLE_MINUTES = _env_positive("SHEQU_SESSION_IDLE_MINUTES", 30)
SHEQU_PASSWORD_MAX_AGE_DAYS = _env_positive("SHEQU_PASSWORD_MAX_AGE_DAYS", 90)
SHEQU_PASSWORD_WARN_DAYS = _env_positive("SHEQU_PASSWORD_WARN_DAYS", 7)
SHEQU_PASSWORD_HISTORY = _env_positive("SHEQU_PASSWORD_HISTORY", 5)
SHEQU_DORMANT_DAYS = _env_positive("SHEQU_DORMANT_DAYS", 90)
SHEQU_LOGIN_IP_MAX_FAILURES = _env_positive("SHEQU_LOGIN_IP_MAX_FAILURES", 30)
# The authenticator app shows this name beside the account; failed codes are
# limited by the login throttle (from the audit trail), not per device.
OTP_TOTP_ISSUER = "社区治理平台"
OTP_TOTP_THROTTLE_FACTOR = 0
# The reverse proxies (addresses or networks, comma-separated) whose
# X-Forwarded-For is believed; empty: the header is ignored.
SHEQU_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("SHEQU_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in SHEQU_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"SHEQU_TRUSTED_PROXIES: “{_proxy}” is not an IP address or network"
        ) from None
SESSION_COOKIE_SECURE = _env_bool("SHEQU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HTTP Strict Transport Security once the site is served over HTTPS only
# (SHEQU_SECURE_COOKIES=1): a year by default, SHEQU_HSTS_SECONDS to change it
# (0 turns it off, e.g. for the first days of a migration to HTTPS).
SECURE_HSTS_SECONDS = (
    int(os.environ.get("SHEQU_HSTS_SECONDS", str(365 * 24 * 3600))) if SESSION_COOKIE_SECURE else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SHEQU_HSTS_SUBDOMAINS", False)

# Content-Security-Policy (django-csp; docs/security.md): every script, style,
# font and image comes from Shequ's own origin (front-end packages are served
# from /static/, never a CDN); an inline script runs only with the response's
# nonce (``{{ request.csp_nonce }}``), inline event handlers and eval never.
# Inline style *attributes* stay allowed (they cannot run script; Bootstrap's
# progress bars and a few widths use them), ``<style>`` elements do not.
# ``data:`` images are the QR codes drawn in the page.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHEQU_LOG_LEVEL", "WARNING")},
    # What the log-only outbox adapters "send" shows in the server's log.
    "loggers": {"shequ.outbox": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# 外发消息: the adapter class of each channel (docs/operations.md). The default
# logs the message: no SMS gateway or 政务微信 is reachable until configured.
SHEQU_OUTBOX_CHANNELS = {
    "sms": os.environ.get("SHEQU_SMS_ADAPTER", "shequ.core.outbox.LogChannel"),
    "wechat": os.environ.get("SHEQU_WECHAT_ADAPTER", "shequ.core.outbox.LogChannel"),
}

# Demo accounts' one shared password, printed by `shequ demo`.
SHEQU_DEMO_PASSWORD = os.environ.get("SHEQU_DEMO_PASSWORD", "Shequ@2026demo")
# Page size of every list page.
SHEQU_PAGE_SIZE = 50
# 个人信息保存期限: a resident who left (迁出) has their personal data erased this
# many days after leaving (PIPL; docs/operations.md "个人信息的保存期限与删除").
SHEQU_RESIDENT_RETENTION_DAYS = int(os.environ.get("SHEQU_RESIDENT_RETENTION_DAYS", "1095"))
if SHEQU_RESIDENT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("SHEQU_RESIDENT_RETENTION_DAYS must be a positive number of days")
# 居民诉求: a closed appeal may be reopened once within this many calendar days.
APPEAL_REOPEN_DAYS = int(os.environ.get("SHEQU_APPEAL_REOPEN_DAYS", "7"))
# 职能部门考评: a department is ranked only with at least this many whistles
# in the month (below it one whistle swings its rates from 0 % to 100 %).
SHEQU_SCORECARD_MIN_WHISTLES = int(os.environ.get("SHEQU_SCORECARD_MIN_WHISTLES", "3"))
