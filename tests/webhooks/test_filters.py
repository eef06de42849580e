"""Which subscriptions get which messages: filters by type, chip and company (lifecycle
events and revisions inherit their object's chips and companies; filters of different kinds
combine with AND, docs/architecture.md), pause and resume, and secret rotation (both secrets
sign for 24 h, then only the new one)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from standardwebhooks.webhooks import WebhookVerificationError

from domain.clocks import format_instant
from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, record, settle, subscribe, verified, verify
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver


def test_filters_by_type_chip_and_company(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    url = receiver.url
    subs = {
        "all": subscribe(api, keys, url + "/all"),
        "types": subscribe(
            api, keys, url + "/types", event_types=["ExportBanImposed", "EventCorrected"]
        ),
        "h20": subscribe(api, keys, url + "/h20", chips=["h20"]),
        "amd": subscribe(api, keys, url + "/amd", companies=["amd"]),
        "h20+nvidia": subscribe(
            api, keys, url + "/h20+nvidia", chips=["h20"], companies=["nvidia"]
        ),
        "either-chip": subscribe(api, keys, url + "/either-chip", chips=["h20", "mi308"]),
    }
    stored = record(
        api,
        keys,
        b.company("nvidia"),
        b.company("amd"),
        b.chip("h20", "nvidia"),
        b.chip("mi308", "amd"),
        b.measure("m-h20", chips=["h20"]),
        b.measure("m-mi308", chips=["mi308"]),
        b.amendment("m-h20", control="ban"),
    )
    events: dict[str, dict[str, Any]] = dict(
        zip(["nvidia", "amd", "h20", "mi308", "m-h20", "m-mi308", "amend-h20"], stored, strict=True)
    )
    events["fix-h20"], events["fix-mi308"] = record(
        api,
        keys,
        b.correction(events["m-h20"]["id"], effective_at="2025-04-10"),
        b.correction(events["m-mi308"]["id"], effective_at="2025-04-11"),
    )
    events["lift-h20"], events["grant-amd"] = record(
        api, keys, b.lift("m-h20"), b.license_granted("amd-mi308", licensee="amd", chips=["mi308"])
    )
    events["revoke-amd"], events["retract-grant"] = record(
        api, keys, b.license_revoked("amd-mi308"), b.retraction(events["grant-amd"]["id"])
    )
    settle(hooks)

    names = {f"msg_{e['id']}": name for name, e in events.items()}

    def delivered(sub: str) -> set[str]:
        mine = [r for r in receiver.received if r.path == f"/hook/{sub}"]
        return {names[m] for m in verified(subs[sub]["secret"], mine)}

    assert delivered("all") == set(events)
    assert delivered("types") == {"m-h20", "m-mi308", "fix-h20", "fix-mi308"}
    # the chip filter: the chip's registration, measures naming it, and the measure's
    # amendment, correction and lift (which do not name the chip themselves)
    assert delivered("h20") == {"h20", "m-h20", "amend-h20", "fix-h20", "lift-h20"}
    # the company filter: the company, its chip (manufacturer), its licence, the licence's
    # revocation and the retraction of the grant
    assert delivered("amd") == {"amd", "mi308", "grant-amd", "revoke-amd", "retract-grant"}
    # filters of different kinds combine with AND: h20 events that also concern nvidia
    assert delivered("h20+nvidia") == {"h20"}
    # within a filter, any of the listed values
    assert delivered("either-chip") == {
        "h20",
        "mi308",
        "m-h20",
        "m-mi308",
        "amend-h20",
        "fix-h20",
        "fix-mi308",
        "lift-h20",
        "grant-amd",
        "revoke-amd",
        "retract-grant",
    }


def test_pause_holds_and_resume_releases(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    with QuickReceiver(clock=clock) as elsewhere:
        paused = subscribe(api, keys, receiver.url)
        other = subscribe(api, keys, elsewhere.url)
        path = f"/v1/subscriptions/{paused['id']}"
        receiver.answer(Answer(503))  # the first attempt fails: a retry is pending
        first = record(api, keys, b.company("nvidia"))[0]
        settle(hooks)
        assert len(receiver.received) == 1

        response = api.patch(path, json={"paused": True}, headers=keys["subscribe"])
        assert response.status_code == 200 and response.json()["paused"] is True
        later = record(api, keys, b.company("amd"), b.chip("h20"))
        for _ in range(3):
            clock.advance(seconds=30)  # the retry falls due, and is held with the rest
            settle(hooks)
        assert len(receiver.received) == 1  # nothing while paused
        every = {f"msg_{e['id']}" for e in [first, *later]}
        assert set(verified(other["secret"], elsewhere.received)) == every  # others unaffected

        response = api.patch(path, json={"paused": False}, headers=keys["subscribe"])
        assert response.status_code == 200 and response.json()["paused"] is False
        hooks.webhooks.step()
        assert len(receiver.received) == 4  # the held retry and the two held messages
        assert set(verified(paused["secret"], receiver.received[1:])) == every


def test_rotation_signs_with_both_secrets_for_24_hours(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    old = sub["secret"]
    rotated_at = clock()
    rotated = api.post(f"/v1/subscriptions/{sub['id']}/rotate-secret", headers=keys["subscribe"])
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old and new.startswith("whsec_")
    assert rotated.json()["secret_rotation_ends_at"] == format_instant(
        rotated_at + timedelta(hours=24)
    )
    shown = api.get(f"/v1/subscriptions/{sub['id']}", headers=keys["subscribe"]).text
    assert old not in shown and new not in shown

    record(api, keys, b.company("nvidia"))
    settle(hooks)
    clock.advance(hours=23, minutes=59)
    record(api, keys, b.company("amd"))
    settle(hooks)
    clock.advance(minutes=2)  # 24 h and 1 min after the rotation
    record(api, keys, b.chip("h20"))
    settle(hooks)

    early, late, after = receiver.received
    for got in (early, late):
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        assert verify(old, got) == verify(new, got)  # each secret alone verifies
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert verify(new, after)["type"] == "ChipRegistered"
    with pytest.raises(WebhookVerificationError):
        verify(old, after)
