"""The Standard Webhooks signer: the spec's published vector, secrets, rotation headers."""

from __future__ import annotations

import base64
import re

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from domain.clocks import utc_now
from services.webhooks import signing
from services.webhooks.messages import message_id

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_published_test_vector() -> None:
    assert (
        signing.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        == VECTOR_SIGNATURE
    )
    assert (
        signing.signature_header([VECTOR_SECRET], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        == VECTOR_SIGNATURE
    )


def test_the_signature_covers_id_timestamp_and_body() -> None:
    base = signing.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    assert signing.signature(VECTOR_SECRET, VECTOR_ID + "x", VECTOR_TIMESTAMP, VECTOR_BODY) != base
    assert signing.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP + 1, VECTOR_BODY) != base
    assert signing.signature(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY + b" ") != base


def test_new_secrets_are_whsec_and_standard_base64_of_32_random_bytes() -> None:
    made = {signing.new_secret() for _ in range(200)}
    assert len(made) == 200
    for secret in made:
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret), secret
        assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    # standard, not URL-safe, base64: over 200 secrets both + and / appear somewhere
    joined = "".join(made)
    assert "+" in joined and "/" in joined


def test_the_official_verifier_accepts_a_fresh_signature_and_both_during_rotation() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    now = int(utc_now().timestamp())
    body = b'{"type":"Ping","data":{}}'
    header = signing.signature_header([new, old], "msg_x", now, body)
    assert len(header.split(" ")) == 2
    headers = {"webhook-id": "msg_x", "webhook-timestamp": str(now), "webhook-signature": header}
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "Ping", "data": {}}
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body + b" ", headers)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("ExportBanImposed", "msg_E"),
        ("EffectiveDateReached", "msg_E_eff"),
        ("LicenseExpired", "msg_E_exp"),
    ],
)
def test_message_ids(kind: str, expected: str) -> None:
    assert message_id("E", kind) == expected
