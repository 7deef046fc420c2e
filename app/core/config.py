"""Settings from the environment (prefix ``KPR_``)."""

import logging
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from limits import parse_many
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = logging.getLogger(__name__)

VAR_DIR = Path("var")
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///./{VAR_DIR}/kpr.db"
DEV_SECRET_FILE = VAR_DIR / "dev-jwt-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KPR_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str | None = None
    jwt_public_key: str | None = None
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    # SQL statement echo for debugging; never on in production.
    db_echo: bool = False
    # Connections kept per process, and how many more a burst may open. Overflow connections are closed when they are
    # returned while the pool is full, so under sustained concurrency above the pool they are opened and closed for
    # every request (a connect costs more CPU than the request): the default keeps all of them instead.
    db_pool_size: int = 20
    db_max_overflow: int = 0
    # Fail fast when the database is down or frozen: a request answers 503 instead of hanging for the outage.
    db_connect_timeout: float = Field(default=5.0, gt=0)  # seconds to open a connection
    db_pool_timeout: float = Field(default=10.0, gt=0)  # seconds to wait for a free pooled connection
    db_statement_timeout: float = Field(default=30.0, gt=0)  # seconds one statement may run (server and client side)
    # Rate limits (app/core/rate_limit.py), in the limits library's notation ("600/minute", "10 per 2 minutes"). A
    # principal has its own quota per route class; its organization a larger one that all its principals share.
    # Callers without valid credentials are counted per client address.
    rate_limit_enabled: bool = True
    # memory:// counts in each process (the embedded default); redis://host:6379/0 shares the counts between workers
    # and replicas.
    rate_limit_storage: str = "memory://"
    rate_limit_storage_timeout: float = Field(default=0.25, gt=0)  # seconds to reach Redis before failing open
    rate_limit_strategy: Literal["sliding-window-counter", "moving-window", "fixed-window"] = "sliding-window-counter"
    rate_limit_reads: str = "600/minute"
    rate_limit_writes: str = "120/minute"
    rate_limit_bulk: str = "10/minute"
    rate_limit_org_reads: str = "6000/minute"
    rate_limit_org_writes: str = "1200/minute"
    rate_limit_org_bulk: str = "30/minute"
    rate_limit_anonymous: str = "60/minute"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # Accept a comma-separated list as well as JSON, since that is how people write it in env files.
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    @field_validator(
        "rate_limit_reads",
        "rate_limit_writes",
        "rate_limit_bulk",
        "rate_limit_org_reads",
        "rate_limit_org_writes",
        "rate_limit_org_bulk",
        "rate_limit_anonymous",
    )
    @classmethod
    def _one_rate_limit(cls, value: str) -> str:
        # Refused at start-up rather than at the first request; one limit each, since a policy has one window.
        if len(parse_many(value)) != 1:
            raise ValueError("one rate limit, such as 600/minute")
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _known_storage(cls, value: str) -> str:
        if not value.startswith(("memory://", "redis://", "rediss://", "redis+unix://")):
            raise ValueError("memory:// or a redis:// URL")
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_secret(self) -> str:
        """The HS256 secret: configured, or a development secret generated once under ./var/."""
        if self.jwt_secret:
            return self.jwt_secret
        return _dev_secret()


@lru_cache
def _dev_secret() -> str:
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    DEV_SECRET_FILE.write_text(secret)
    DEV_SECRET_FILE.chmod(0o600)
    log.warning(
        "KPR_JWT_SECRET is not set: generated a development secret in %s; set it in production", DEV_SECRET_FILE
    )
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()
