"""Who is calling: bearer JWTs (PyJWT) and API keys, resolved into a Principal."""

import hashlib
import hmac
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from app.core.config import Settings
from app.core.errors import Unauthenticated
from app.core.i18n import translate
from app.core.schemas import MAX_ROLE_LENGTH, MAX_ROLES, SUBJECT_MAX
from app.models import ApiKey

ROLE_ADMIN = "admin"
ROLE_SERVICE = "service"
ROLE_SYSTEM = "system"

# A fixed allowlist: the token's own "alg" header never chooses the algorithm ("none" is never accepted).
HMAC_ALGORITHMS = ["HS256"]
ASYMMETRIC_ALGORITHMS = ["RS256", "ES256"]
API_KEY_PREFIX = "kpr_"
LAST_USED_PRECISION = timedelta(minutes=1)
LEEWAY_SECONDS = 30
# How long a token minted here (`kpr token`, `kpr demo`) is valid; tokens of an identity provider carry their own exp.
TOKEN_TTL = timedelta(hours=12)


@dataclass(frozen=True)
class Principal:
    subject: str
    organization_id: uuid.UUID | None
    roles: frozenset[str]
    api_key_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        return ROLE_ADMIN in self.roles

    @property
    def is_service(self) -> bool:
        return ROLE_SERVICE in self.roles

    @property
    def is_system(self) -> bool:
        return ROLE_SYSTEM in self.roles

    @property
    def reads_whole_org(self) -> bool:
        return self.is_admin or self.is_service


def mint_token(
    settings: Settings,
    *,
    subject: str,
    organization_id: uuid.UUID | None,
    roles: list[str],
    ttl: timedelta = TOKEN_TTL,
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": subject, "roles": roles, "iat": now, "exp": now + ttl}
    if organization_id is not None:
        claims["org"] = str(organization_id)
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.signing_secret(), algorithm="HS256")


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300)


async def _verification_key(settings: Settings, token: str) -> tuple[Any, list[str]]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthenticated(translate("detail.token_invalid", reason="malformed")) from exc
    alg = header.get("alg")
    if alg in ASYMMETRIC_ALGORITHMS:
        if settings.jwks_url:
            signing_key = await run_in_threadpool(_jwks_client(settings.jwks_url).get_signing_key_from_jwt, token)
            return signing_key.key, ASYMMETRIC_ALGORITHMS
        if settings.jwt_public_key:
            return settings.jwt_public_key, ASYMMETRIC_ALGORITHMS
    # HS256 is accepted with a configured secret, or with the dev secret when no identity provider is configured.
    elif alg in HMAC_ALGORITHMS and (settings.jwt_secret or not (settings.jwks_url or settings.jwt_public_key)):
        return settings.signing_secret(), HMAC_ALGORITHMS
    raise Unauthenticated(translate("detail.token_invalid", reason=f"algorithm {alg!r} is not accepted"))


# Tokens already verified, with their expiry: a client sends the same token on every request, and checking its
# signature and claims again is a fifth of a read's CPU. A hit is only as good as the settings it was verified under
# (they are part of the key) and is refused once the token expires, exactly as a fresh verification would refuse it.
VERIFIED_CACHE_SIZE = 4096
_verified: OrderedDict[tuple[str, ...], tuple[Principal, float]] = OrderedDict()


def _verified_key(settings: Settings, token: str) -> tuple[str, ...]:
    return (
        token,
        settings.signing_secret(),
        settings.jwt_audience or "",
        settings.jwt_issuer or "",
        settings.jwt_public_key or "",
        settings.jwks_url or "",
    )


async def principal_from_token(settings: Settings, token: str) -> Principal:
    key = _verified_key(settings, token)
    hit = _verified.get(key)
    if hit is not None:
        principal, usable_until = hit
        if time.time() < usable_until:
            _verified.move_to_end(key)
            return principal
        del _verified[key]
    principal, expires_at = await _verify(settings, token)
    _verified[key] = (principal, expires_at + LEEWAY_SECONDS)
    if len(_verified) > VERIFIED_CACHE_SIZE:
        _verified.popitem(last=False)
    return principal


async def _verify(settings: Settings, token: str) -> tuple[Principal, float]:
    key, algorithms = await _verification_key(settings, token)
    # "aud" is only checked when an audience is configured: PyJWT would otherwise refuse every token that carries
    # one, and identity providers always set it.
    options: jwt.types.Options = {"require": ["exp", "sub"], "verify_aud": settings.jwt_audience is not None}
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options=options,
            leeway=LEEWAY_SECONDS,
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated(translate("detail.token_expired")) from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated(translate("detail.token_invalid", reason=str(exc))) from exc
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise Unauthenticated(translate("detail.token_invalid", reason="roles must be a list"))
    # What the service keeps and shows of a caller has declared limits: the subject is recorded as the actor of
    # every change (255 characters, as the columns hold), and the roles are shown by GET /me.
    subject = claims["sub"]
    if not isinstance(subject, str) or not 1 <= len(subject) <= SUBJECT_MAX:
        raise Unauthenticated(translate("detail.token_invalid", reason=f"sub must be 1 to {SUBJECT_MAX} characters"))
    if len(roles) > MAX_ROLES or any(len(role) > MAX_ROLE_LENGTH for role in roles):
        raise Unauthenticated(
            translate(
                "detail.token_invalid",
                reason=f"at most {MAX_ROLES} roles of at most {MAX_ROLE_LENGTH} characters",
            )
        )
    org_claim = claims.get("org")
    organization_id: uuid.UUID | None = None
    if org_claim is not None:
        try:
            organization_id = uuid.UUID(str(org_claim))
        except ValueError as exc:
            raise Unauthenticated(translate("detail.token_invalid", reason="org is not a UUID")) from exc
    elif ROLE_SYSTEM not in roles:
        raise Unauthenticated(translate("detail.token_invalid", reason="org claim is required"))
    principal = Principal(subject=subject, organization_id=organization_id, roles=frozenset(roles))
    return principal, float(claims["exp"])


def new_api_key_secret() -> tuple[str, str, str]:
    """A fresh key: (secret shown once, lookup prefix, stored hash)."""
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return secret, prefix, hash_api_key(secret)


def hash_api_key(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough; there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


async def principal_from_api_key(session: AsyncSession, secret: str) -> Principal:
    parts = secret.split("_")
    if len(parts) < 3 or not secret.startswith(API_KEY_PREFIX):
        raise Unauthenticated(translate("detail.api_key_invalid"))
    prefix = parts[1]
    row = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
    # Compare even when no row matched, so timing does not reveal which prefixes exist.
    expected = row.secret_hash if row is not None else hash_api_key("")
    if not hmac.compare_digest(expected, hash_api_key(secret)) or row is None:
        raise Unauthenticated(translate("detail.api_key_invalid"))
    # Recorded at most once a minute: the UPDATE locks the row until the request commits, so writing it on every
    # request would serialize all concurrent requests made with one key.
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        await session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(
        subject=f"api-key:{row.id}",
        organization_id=row.organization_id,
        roles=frozenset({ROLE_SERVICE}),
        api_key_id=row.id,
    )
