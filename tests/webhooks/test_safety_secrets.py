"""Safety of a subscription's secret (docs/webhooks.md): encrypted at rest, in the row and in
the database file, with a key file only its owner may read, and still signing.
"""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.bootstrap import Container
from services.webhooks import tables as t
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.hooks import Keys, record, settle, subscribe, verified
from tests.support.receivers import QuickReceiver


def _needles(secret: str) -> list[bytes]:
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    return [
        secret.encode(),
        secret.removeprefix("whsec_").encode(),
        raw,
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
    ]


def test_secrets_are_encrypted_at_rest(
    api: TestClient, hooks: Container, keys: Keys, backend: Backend, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    rotated = api.post(
        f"/v1/subscriptions/{sub['id']}/rotate-secret", headers=keys["subscribe"]
    ).json()
    s = t.subscription
    with hooks.engine.connect() as conn:
        row = conn.execute(select(s).where(s.c.id == sub["id"])).one()
    stored = b"|".join(
        str(v).encode() if not isinstance(v, bytes | memoryview) else bytes(v) for v in row
    )
    assert row.secret and row.previous_secret
    for secret in (sub["secret"], rotated["secret"]):
        for needle in _needles(secret):
            assert needle not in stored
    if backend.name == "sqlite":  # nowhere in the database file either
        hooks.engine.dispose()
        content = Path(backend.settings.database_url.removeprefix("sqlite:///")).read_bytes()
        for secret in (sub["secret"], rotated["secret"]):
            for needle in _needles(secret):
                assert needle not in content
    key_file = backend.settings.data_dir / "secret-key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # and yet it signs: the stored secret decrypts to the one shown
    record(api, keys, b.company())
    settle(hooks)
    verified(rotated["secret"], receiver.received)
    verified(sub["secret"], receiver.received)
