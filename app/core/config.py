"""Settings from the environment (prefix ``KPR_``)."""

import logging
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

from limits import parse_many
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

log = logging.getLogger(__name__)

# The project's own folder (the one holding alembic.ini, app/ and migrations/), wherever the command is run from.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Where the defaults keep their files: the SQLite database and the development secret. One place, not ./var of
# whatever folder a command happens to run in, so `kpr token` run anywhere mints tokens that `kpr serve` accepts.
DEFAULT_DATA_DIR = PROJECT_ROOT / "var"
DATABASE_FILE = "kpr.db"
DEV_SECRET_FILE = "dev-jwt-secret"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KPR_", extra="ignore")

    # The default database and the development secret live here (KPR_DATA_DIR; a relative path is taken from the
    # folder the process starts in, once).
    data_dir: Path = DEFAULT_DATA_DIR
    # Empty: the SQLite file kpr.db in data_dir.
    database_url: str = ""
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
    # Requests one process works on at once, the rest waiting their turn, first come first served
    # (app.core.middleware.ConcurrencyLimit). Unset: as many as the pool has connections on PostgreSQL, so a request
    # never waits for a connection halfway through its work; none on SQLite. 0 sets no limit.
    request_concurrency: int | None = Field(default=None, ge=0, le=10_000)
    # Fail fast when the database is down or frozen: a request answers 503 instead of hanging for the outage.
    db_connect_timeout: float = Field(default=5.0, gt=0)  # seconds to open a connection
    # seconds to wait for a free pooled connection, or for a request's turn (then 503 with Retry-After)
    db_pool_timeout: float = Field(default=10.0, gt=0)
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
    # The service's address as its clients see it (e.g. https://kpr.example.com behind a proxy that rewrites the host
    # or the path): links the service writes, such as a problem's `type`, start with it. Unset: the request's own.
    public_url: str | None = None
    # The source revision this build was made from, when the build says (GET /version).
    commit: str | None = None

    # Events out (DESIGN §13). Hosts a webhook may reach over http:// and at private addresses (a local receiver, an
    # internal gateway); every other webhook must be https:// to a public address.
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Run the delivery worker and scheduled jobs inside `kpr serve` (the embedded default needs one process only);
    # production runs `kpr worker` replicas and turns this off.
    embedded_worker: bool = True
    # The key that encrypts webhook signing secrets at rest (app/webhooks/secrets.py). Unset, it is derived from the
    # JWT secret; set, the JWT secret can rotate on its own. Changing whichever key is in use makes the stored webhook
    # secrets unreadable: every webhook must then be deleted and created again (a new secret for each consumer).
    webhook_secret_key: str | None = None

    @field_validator("cors_origins", "webhook_allowed_hosts", mode="before")
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

    @model_validator(mode="after")
    def _anchor_defaults(self) -> Self:
        self.data_dir = self.data_dir.expanduser().absolute()
        if not self.database_url:
            self.database_url = sqlite_url(self.data_dir / DATABASE_FILE)
        # An empty variable (a build argument left unset) says nothing.
        self.public_url = self.public_url or None
        self.commit = self.commit or None
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def signing_secret(self) -> str:
        """The HS256 secret: configured, or a development secret generated once in the data directory."""
        if self.jwt_secret:
            return self.jwt_secret
        return _dev_secret(self.data_dir / DEV_SECRET_FILE)


@lru_cache
def _dev_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    log.warning("KPR_JWT_SECRET is not set: generated a development secret in %s; set it in production", path)
    return secret


@lru_cache
def get_settings() -> Settings:
    return Settings()
