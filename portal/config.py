"""Settings from the environment (PORTAL_*), with safe defaults for a single-machine install."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("PORTAL_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def normalise_database_url(url: str) -> str:
    """PostgreSQL URLs use psycopg 3; a bare postgres:// or postgresql:// gets the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _kept_secret(env: str, filename: str) -> str:
    """The secret in `env`, else a random one generated once into instance/`filename` (mode 600)."""
    key = os.environ.get(env)
    if key:
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_key() -> str:
    """PORTAL_SECRET_KEY, else a random key kept in instance/ so sessions survive a restart."""
    return _kept_secret("PORTAL_SECRET_KEY", "secret_key")


def _audit_key() -> str:
    """PORTAL_AUDIT_KEY, else a random key kept in instance/audit_key (never in the database)."""
    return _kept_secret("PORTAL_AUDIT_KEY", "audit_key")


class Config:
    SECRET_KEY: str = ""
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("PORTAL_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    # Sessions: the server-side row decides; the cookie only carries its id.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure (HTTPS only) unless this is a development machine (PORTAL_ENV=development, set by `make run`) or
    # PORTAL_SECURE_COOKIES=0 says otherwise.
    SESSION_COOKIE_SECURE = os.environ.get(
        "PORTAL_SECURE_COOKIES", "0" if os.environ.get("PORTAL_ENV") == "development" else "1") == "1"
    SESSION_COOKIE_NAME = "portal_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("PORTAL_IDLE_MINUTES", "30")))
    PASSWORD_MIN_LENGTH = 12
    # Login throttles (Flask-Limiter): Redis when PORTAL_REDIS_URL is set (shared by every worker), else memory.
    RATELIMIT_STORAGE_URI = os.environ.get("PORTAL_REDIS_URL", "") or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("PORTAL_LOGIN_LIMIT_PER_ADDRESS", "30 per minute")
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("PORTAL_LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes")
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a password)
    # Uploads (place CSV, ledgers) are small files; a bigger request is refused (413) before it is read.
    MAX_CONTENT_LENGTH = int(os.environ.get("PORTAL_MAX_UPLOAD_MB", "10")) * 1024 * 1024
    # The audit chain's key and checkpoints live outside the database (core/audit_seal.py, README).
    AUDIT_KEY: str = ""
    AUDIT_CHECKPOINT_DIR = os.environ.get("PORTAL_AUDIT_CHECKPOINT_DIR", str(INSTANCE_DIR / "audit-checkpoints"))
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # flask-smorest / OpenAPI
    API_TITLE = "Rural public-welfare posts portal API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    PAGE_SIZE = 50


def build_config(overrides: dict | None = None) -> dict:
    """The effective settings as a dict: class defaults, then the secret key, then overrides."""
    values = {k: getattr(Config, k) for k in dir(Config) if k.isupper()}
    values["SECRET_KEY"] = _secret_key() if not (overrides or {}).get("SECRET_KEY") else ""
    values["AUDIT_KEY"] = _audit_key() if not (overrides or {}).get("AUDIT_KEY") else ""
    values.update(overrides or {})
    values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(values["SQLALCHEMY_DATABASE_URI"])
    return values
