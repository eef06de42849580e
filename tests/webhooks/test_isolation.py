"""One subscriber cannot hurt another (issue 10, item 1).

- A subscription URL is validated in one place (services/webhooks/urls.py), at creation and
  on PATCH: whatever a worker could not dial is a 422 naming `/url`.
- The worker isolates each delivery attempt: a URL stored before that validation existed
  (written straight into the table here), a secret that no longer decrypts, or a receiver
  answering bytes PostgreSQL cannot store, fails that attempt alone, recorded with its
  error and retried on the schedule; the other tenants' deliveries in the same batch are
  sent once and recorded.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from services.bootstrap import Container
from services.webhooks import tables as t
from services.webhooks.urls import check_url
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, attempts, record, settle, subscribe
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver

UNDIALABLE = {
    "port-too-big": "http://127.0.0.1:99999/x",
    "port-not-a-number": "http://h:abc/",
    "port-zero": "http://example.com:0/",
    "port-empty": "http://example.com:/",
    "port-negative": "http://example.com:-1/",
    "bracket-unclosed": "http://[::1/",
    "bracket-not-ipv6": "http://[example.com]/",
    "ipv6-zone": "http://[fe80::1%25eth0]/",
    "label-64": f"http://{'a' * 64}.example/",
    "name-254": "http://" + ".".join(["a" * 62] * 4) + ".ab/",
    "empty-label": "http://a..b/",
    "leading-dot": "http://.example.com/",
    "empty-host": "http:///path",
    "empty-host-port": "http://:8080/",
    "userinfo": "http://user:pw@example.com/",
    "userinfo-trick": "http://example.com@127.0.0.1/",
    "userinfo-empty": "http://@example.com/",
    "backslash": "http://example.com\\@127.0.0.1/",
    "idna-invalid": "http://xn--a.example/",
    "idna-disallowed": "http://exa\u2024mple.com/",
    "non-ascii-path": "http://example.com/h\u00e9",
    "space-in-host": "http://exa mple.com/",
    "tab": "http://example.com/\tx",
    "newline": "http://example.com/\r\nX-Injected: 1",
    "nul": "http://example.com/\x00",
    "underscore": "http://bad_name.example/",
    "hyphen-edge": "http://-example.com/",
    "ipv4-short": "http://127.1/",
    "ipv4-octal": "http://0177.0.0.1/",
    "ipv4-hex": "http://0x7f.0.0.1/",
    "ipv4-out-of-range": "http://256.1.1.1/",
    "scheme": "ftp://example.com/",
    "no-scheme": "example.com/hook",
}
ACCEPTED = {
    "plain": ("https://example.com/hook", "https://example.com/hook"),
    "port": ("http://example.com:8080/a?b=c", "http://example.com:8080/a?b=c"),
    "ipv4": ("http://93.184.216.34/hook", "http://93.184.216.34/hook"),
    "ipv6": ("http://[2606:4700::1111]:443/", "http://[2606:4700::1111]:443/"),
    "trailing-dot": ("https://example.com./hook", "https://example.com./hook"),
    "label-63": (f"http://{'a' * 63}.example/", f"http://{'a' * 63}.example/"),
    "idn": ("https://b\u00fccher.example/hook", "https://xn--bcher-kva.example/hook"),
    "percent-path": ("https://example.com/h%C3%A9", "https://example.com/h%C3%A9"),
    "upper-scheme": ("HTTPS://Example.COM/hook", "https://Example.COM/hook"),
}


@pytest.mark.parametrize("name", sorted(UNDIALABLE))
def test_the_one_url_rule_refuses_what_cannot_be_dialled(name: str) -> None:
    with pytest.raises(ValueError):
        check_url(UNDIALABLE[name])


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_the_one_url_rule_accepts_and_normalises(name: str) -> None:
    given, stored = ACCEPTED[name]
    assert check_url(given) == stored


@pytest.mark.parametrize(
    "name",
    [
        "port-too-big",
        "port-not-a-number",
        "bracket-unclosed",
        "label-64",
        "empty-label",
        "userinfo",
        "idna-invalid",
        "port-zero",
        "empty-host",
        "ipv4-short",
        "nul",
    ],
)
def test_create_and_patch_refuse_an_undialable_url_naming_it(
    api: TestClient, keys: Keys, receiver: QuickReceiver, name: str
) -> None:
    url = UNDIALABLE[name]
    created = api.post("/v1/subscriptions", json={"url": url}, headers=keys["subscribe"])
    assert created.status_code == 422, created.text
    assert [e.get("pointer") for e in created.json()["errors"]] == ["/url"], created.text
    sub = subscribe(api, keys, receiver.url)
    patched = api.patch(
        f"/v1/subscriptions/{sub['id']}", json={"url": url}, headers=keys["subscribe"]
    )
    assert patched.status_code == 422, patched.text
    assert [e.get("pointer") for e in patched.json()["errors"]] == ["/url"], patched.text
    got = api.get(f"/v1/subscriptions/{sub['id']}", headers=keys["subscribe"]).json()
    assert got["url"] == receiver.url


def test_an_idn_is_stored_as_the_name_that_is_dialled(api: TestClient, keys: Keys) -> None:
    sub = subscribe(api, keys, "https://b\u00fccher.example/hook")
    assert sub["url"] == "https://xn--bcher-kva.example/hook"


def _write_url(container: Container, sub_id: str, url: str) -> None:
    """As a row stored before the URL rule existed would be."""
    s = t.subscription
    with container.engine.begin() as conn:
        conn.execute(update(s).where(s.c.id == sub_id).values(url=url))


def _statuses(container: Container, sub_id: str) -> dict[str, int]:
    d = t.delivery
    with container.engine.connect() as conn:
        return dict(
            conn.execute(
                select(d.c.status, func.count())
                .where(d.c.subscription_id == sub_id)
                .group_by(d.c.status)
            ).all()
        )  # type: ignore[arg-type]


STORED_BAD = [
    "http://127.0.0.1:99999/x",
    "http://h:abc/",
    "http://[::1/",
    f"http://{'a' * 64}.example/",
    "http://a..b/",
    "http:///x",
    "http://:0/",
    "http://exa\u2024mple.com/",
    "http://example.com/h\u00e9",
    "not a url at all",
    "http://127.0.0.1:0/x",
]


@pytest.mark.parametrize("bad", STORED_BAD)
def test_a_stored_undialable_url_fails_alone(
    api: TestClient, hooks: Container, receiver: QuickReceiver, clock: FakeClock, bad: str
) -> None:
    tenant_a, tenant_b = Keys(hooks), Keys(hooks)
    a = subscribe(api, tenant_a, receiver.url)
    _write_url(hooks, a["id"], bad)
    b_sub = subscribe(api, tenant_b, receiver.url)
    stored = record(api, tenant_b, *[b.company(f"c-{n}") for n in range(5)])
    settle(hooks)

    expected = {f"msg_{e['id']}" for e in stored}
    assert receiver.ids() == dict.fromkeys(expected, 1)  # B's: each exactly once
    assert _statuses(hooks, b_sub["id"]) == {"delivered": 5}
    failed = attempts(api, tenant_a, a["id"])
    assert len(failed) == 5
    assert all(x["status_code"] is None and x["error"] for x in failed), failed
    assert {x["delivery_status"] for x in failed} == {"pending"}  # retried on the schedule
    clock.advance(seconds=61)  # past any lease: nothing of B's is sent again
    hooks.webhooks.step()
    assert receiver.ids() == dict.fromkeys(expected, 1)
    assert len(attempts(api, tenant_a, a["id"])) == 10  # A's second attempts, recorded
    clock.advance(seconds=80)
    hooks.webhooks.step()
    assert _statuses(hooks, a["id"]) == {"failed": 5}  # the schedule ran out, as for any


def test_a_secret_that_no_longer_decrypts_fails_alone(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    broken = subscribe(api, Keys(hooks), receiver.url)
    s = t.subscription
    with hooks.engine.begin() as conn:
        conn.execute(update(s).where(s.c.id == broken["id"]).values(secret=b"not-a-token"))
    fine = subscribe(api, keys, receiver.url)
    stored = record(api, keys, b.company())
    settle(hooks)
    assert receiver.ids() == {f"msg_{stored[0]['id']}": 1}
    assert _statuses(hooks, fine["id"]) == {"delivered": 1}
    (entry,) = attempts(api, keys, broken["id"])
    assert entry["status_code"] is None and "secret" in entry["error"]


def test_an_answer_with_nul_bytes_is_recorded_and_hurts_no_one(
    api: TestClient, hooks: Container, keys: Keys, clock: FakeClock
) -> None:
    """PostgreSQL text cannot hold NUL: such an answer once failed the whole batch's record."""
    with QuickReceiver(clock=clock) as hostile, QuickReceiver(clock=clock) as other:
        hostile.default = Answer(500, body=b"bad\x00answer")
        bad = subscribe(api, Keys(hooks), hostile.url)
        good = subscribe(api, keys, other.url)
        stored = record(api, keys, b.company(), b.company("other"))
        settle(hooks)
        assert other.ids() == {f"msg_{e['id']}": 1 for e in stored}
        assert _statuses(hooks, good["id"]) == {"delivered": 2}
        log: list[dict[str, Any]] = attempts(api, keys, bad["id"])
        assert [x["status_code"] for x in log] == [500, 500]
        assert all(x["response_body"] == "bad\ufffdanswer" for x in log)
