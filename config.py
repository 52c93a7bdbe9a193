"""Configuration from the environment (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


DEV_SECRET_KEY = "dev-only-change-me"  # refused by the production config  # noqa: S105  # nosec B105
MIN_SECRET_KEY_BYTES = 32
# The X-Forwarded-* headers ProxyFix may take from TRUSTED_PROXIES (werkzeug's x_for, x_proto, ...).
PROXY_HEADERS = ("for", "proto", "host", "port", "prefix")


def _names(variable, default=""):
    return [name.strip() for name in os.environ.get(variable, default).split(",") if name.strip()]


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'weiyi.db'}")
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    # Five photos of 5 MB each plus the form itself; each photo is also checked alone.
    MAX_CONTENT_LENGTH = 27 * 1024 * 1024
    MAX_PHOTO_BYTES = 5 * 1024 * 1024
    PHOTOS_PER_DAY = int(os.environ.get("PHOTOS_PER_DAY", "20"))  # per person, counted from the stored photos
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # RATELIMIT_ENABLED=0 switches the limits off (load benchmarks from one address only).
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "zh_Hans"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_Hans", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A login ends after SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after it
    # began, "keep me logged in" or not (app/auth/sessions.py); the latter then is the cookie's lifetime.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)
    WTF_CSRF_TIME_LIMIT = None  # a meeting can last hours; the token lives with the session
    # scrypt with N = 2^17 (about 0.5 s and 128 MB a hash); hashes made otherwise are re-made at the
    # next login (app/auth/services.authenticate).
    PASSWORD_HASH_METHOD = "scrypt:131072:8:1"  # a hash method, not a password  # noqa: S105  # nosec B105
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "weiyi@localhost")
    # SMS (app/notifications/sms.py): SMS_PROVIDER=aliyun sends through Aliyun SMS; unset, SMS go to the log.
    SMS_PROVIDER = os.environ.get("SMS_PROVIDER", "")
    SMS_ACCESS_KEY_ID = os.environ.get("SMS_ACCESS_KEY_ID")
    SMS_ACCESS_KEY_SECRET = os.environ.get("SMS_ACCESS_KEY_SECRET")
    SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "")
    SMS_ENDPOINT = os.environ.get("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/")
    SMS_REGION = os.environ.get("SMS_REGION", "cn-hangzhou")
    SMS_TEMPLATES = os.environ.get("SMS_TEMPLATES", "")  # general=SMS_123,meetings=SMS_456: codes per kind
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
    SMS_PER_RECIPIENT_DAY = int(os.environ.get("SMS_PER_RECIPIENT_DAY", "5"))
    SMS_PER_DAY = int(os.environ.get("SMS_PER_DAY", "500"))
    # WeCom group robots (app/notifications/wecom.py); only WeCom's own webhook address is accepted,
    # unless WECOM_ALLOW_LOOPBACK (tests: a fake robot on 127.0.0.1).
    WECOM_TIMEOUT = float(os.environ.get("WECOM_TIMEOUT", "10"))
    WECOM_ALLOW_LOOPBACK = False
    # "Count and publish" counts a round with at most this many ballots inside the request; a larger
    # one is queued for the worker (`flask outbox work`, app/voting/count_jobs.py). 0: always queued.
    COUNT_IN_REQUEST_BALLOTS = int(os.environ.get("COUNT_IN_REQUEST_BALLOTS", "300"))
    PREFERRED_URL_SCHEME = "http"
    # The site's public address (https://weiyi.example) for QR codes, feeds, the API and e-mails.
    # Every absolute link (QR codes, feeds, API, e-mails) starts here, never with the request's Host;
    # by default the address `make run` serves.
    PUBLIC_BASE_URL: str | None = (
        os.environ.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"
    )
    HSTS = False
    # Behind N reverse proxies (nginx, a load balancer) set TRUSTED_PROXIES=N so that the client's
    # address (rate limits) and scheme come from X-Forwarded-For/-Proto. 0: those headers are ignored.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Which X-Forwarded-* headers those proxies set (PROXY_HEADERS); Host, Port and Prefix only when a
    # proxy really overwrites them, since otherwise the client chooses them.
    TRUSTED_PROXY_HEADERS = _names("TRUSTED_PROXY_HEADERS", "for,proto")
    # Pages for visitors not logged in are rendered once per data version and served again until a
    # write changes what they show (app/ops/pagecache.py); PAGE_CACHE=0 renders every request.
    # Text that moves with the clock ("closes in 2 hours") is at most PAGE_CACHE_SECONDS old.
    # How long a write waits for the database's lock before the 503 page with Retry-After (app/core/locks.py).
    DATABASE_LOCK_TIMEOUT_MS = int(os.environ.get("DATABASE_LOCK_TIMEOUT_MS", "10000"))
    LOCK_RETRY_AFTER_SECONDS = int(os.environ.get("LOCK_RETRY_AFTER_SECONDS", "10"))
    PAGE_CACHE = os.environ.get("PAGE_CACHE", "1") != "0"
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "60"))
    # TRUSTED_HOSTS=weiyi.example.org,www.weiyi.example.org: any other Host header gets 400, so that
    # links and QR codes built from the request's host cannot be pointed elsewhere.
    TRUSTED_HOSTS = _names("TRUSTED_HOSTS") or None
    # AUDIT_KEY=<long random string>: every new audit entry is also signed (HMAC) with this key, kept
    # outside the database, so that someone who can only write the database cannot rewrite the log.
    AUDIT_KEY = os.environ.get("AUDIT_KEY") or None


class ProductionConfig(Config):
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")  # no default: production_problems asks for it


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # tests only  # noqa: S105  # nosec B105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"  # the test client's host
    # Cheap hashes keep the suite fast; production uses scrypt.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105  # nosec B105
    AUDIT_KEY = None  # tests that sign pass their own key
    SERVER_NAME = None


def production_problems(config):
    """What keeps `config` from serving the public; create_app("production") refuses to start on any."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key.encode() if isinstance(key, str) else key) < MIN_SECRET_KEY_BYTES:
        problems.append(
            f"SECRET_KEY must be a random string of at least {MIN_SECRET_KEY_BYTES} bytes "
            "(python3 -c 'import secrets; print(secrets.token_hex(32))')."
        )
    base = urlsplit(config.get("PUBLIC_BASE_URL") or "")
    if base.scheme not in ("http", "https") or not base.hostname:
        problems.append(
            "PUBLIC_BASE_URL must be the site's public address, such as https://weiyi.example.org: "
            "every link in e-mails, feeds, the API and QR codes starts with it."
        )
    if not config.get("TRUSTED_HOSTS"):
        problems.append(
            "TRUSTED_HOSTS must list the host names the site answers to, such as weiyi.example.org: "
            "a request naming any other Host is refused."
        )
    return problems


CONFIGS = {"default": Config, "production": ProductionConfig, "test": TestConfig}
