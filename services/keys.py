"""API keys: `rtl_<id>_<secret>`, stored as SHA-256 digests, with scopes, expiry and revocation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, update

from projections.tables import api_key

SCOPES = ("read", "write", "subscribe", "admin")
# What each scope may do: write and subscribe include read; admin includes everything.
GRANTS = {
    "read": {"read"},
    "write": {"read", "write"},
    "subscribe": {"read", "subscribe"},
    "admin": {"read", "write", "subscribe", "admin"},
}
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def allows(self, needed: str) -> bool:
        return needed in GRANTS[self.scope]

    def live(self, now: datetime) -> bool:
        """Neither revoked nor expired: the one rule for requests and for the webhooks a
        key owns (docs/architecture.md, "Webhooks and the live stream")."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


class KeyStore:
    def __init__(self, engine: Engine, cache_seconds: float = 5.0, touch_every: float = 60.0):
        self.engine = engine
        self.cache_seconds, self.touch_every = cache_seconds, touch_every
        # key id -> (valid until, on monotonic time; the key and its digest, or None: unknown)
        self._cache: dict[str, tuple[float, tuple[ApiKey, str] | None]] = {}
        self._touched: dict[str, float] = {}
        self._lock = threading.Lock()

    def create(
        self, scope: str, name: str, now: datetime, expires_at: datetime | None = None
    ) -> tuple[ApiKey, str]:
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
        key_id, secret = _random(12), _random(40)
        with self.engine.begin() as conn:
            conn.execute(
                insert(api_key).values(
                    id=key_id,
                    name=name,
                    scope=scope,
                    digest=_digest(secret),
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        key = ApiKey(key_id, name, scope, now, expires_at, None, None)
        return key, f"rtl_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_key).order_by(api_key.c.created_at)).all()
        return [self._from_row(r) for r in rows]

    def revoke(self, key_id: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(api_key)
                .where(api_key.c.id == key_id)
                .where(api_key.c.revoked_at.is_(None))
                .values(revoked_at=now)
            ).rowcount
        self._cache.pop(key_id, None)
        return bool(changed)

    def verify(self, token: str, now: datetime) -> ApiKey | None:
        """The key a bearer token names, if the secret matches and it is live.

        Verified keys are cached for a few seconds (a revocation takes effect within
        `cache_seconds` on other processes), so a request costs one hash, not a query.
        """
        parts = token.split("_")
        if len(parts) != 3 or parts[0] != "rtl":
            return None
        key_id, secret = parts[1], parts[2]
        row = self._lookup(key_id)
        if row is None or not hmac.compare_digest(row[1], _digest(secret)):
            return None
        key = row[0]
        if not key.live(now):
            return None
        self._touch(key.id, now)
        return key

    def verify_needs_io(self, token: str) -> bool:
        """Whether verify() would touch the database (a cache miss, or last_used_at due)."""
        parts = token.split("_")
        if len(parts) != 3:
            return False
        hit = self._cache.get(parts[1])
        if hit is None or hit[0] <= time.monotonic():
            return True
        return time.monotonic() - self._touched.get(parts[1], 0.0) >= self.touch_every

    def _lookup(self, key_id: str) -> tuple[ApiKey, str] | None:
        hit = self._cache.get(key_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        with self.engine.connect() as conn:
            row = conn.execute(select(api_key).where(api_key.c.id == key_id)).first()
        value = None if row is None else (self._from_row(row), row.digest)
        self._cache[key_id] = (time.monotonic() + self.cache_seconds, value)
        return value

    def _touch(self, key_id: str, now: datetime) -> None:
        """Record last_used_at, at most once a minute per key (not a write per request)."""
        with self._lock:
            last = self._touched.get(key_id, 0.0)
            if time.monotonic() - last < self.touch_every:
                return
            self._touched[key_id] = time.monotonic()
        with self.engine.begin() as conn:
            conn.execute(update(api_key).where(api_key.c.id == key_id).values(last_used_at=now))

    @staticmethod
    def _from_row(r: Row[Any]) -> ApiKey:
        return ApiKey(
            r.id,
            r.name,
            r.scope,
            _utc(r.created_at),
            _aware(r.expires_at),
            _aware(r.revoked_at),
            _aware(r.last_used_at),
        )


def load_keys(conn: Connection, key_ids: Iterable[str]) -> dict[str, ApiKey]:
    """The keys of these ids that exist (uncached: for the webhook worker and fan-out, which
    must see a revocation at once, not after `cache_seconds`)."""
    wanted = set(key_ids)
    if not wanted:
        return {}
    rows = conn.execute(select(api_key).where(api_key.c.id.in_(wanted))).all()
    return {r.id: KeyStore._from_row(r) for r in rows}


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
