"""Webhooks and catalog v2 (docs/webhooks.md): a chip's or company's subscription hears of
the groups its measures name and of its measures' suspensions and reinstatements; a
suspension's `until` sends a derived ExportBanReinstated (`msg_<suspension id>_end`) on
time, once, moved by corrections, cancelled by retractions and by whatever ends the
suspension first (a reinstatement, a lift, another suspension). Real HTTP to a real
receiver on 127.0.0.1; a FakeClock moves time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from domain.clocks import format_instant
from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.hooks import Keys, record, settle, subscribe, verified
from tests.support.receivers import QuickReceiver


def _group(group_id: str, **change: list[str]) -> dict[str, Any]:
    """A group's definition (no change given) or amendment."""
    if change:
        data: dict[str, Any] = {"group_id": group_id, **change}
        return b.envelope("DestinationGroupAmended", data, "2025-03-01")
    data = {"group_id": group_id, "name": group_id, "authority": "BIS", "jurisdiction": "US"}
    return b.envelope("DestinationGroupDefined", {**data, "members": ["CN"]}, "2025-01-01")


def _suspend(measure_id: str, at: datetime, until: datetime | None) -> dict[str, Any]:
    data = {"measure_id": measure_id, "reason": "talks"}
    if until is not None:
        data["until"] = format_instant(until)
    return b.envelope("ExportBanSuspended", data, format_instant(at))


def _reinstate(measure_id: str, at: datetime) -> dict[str, Any]:
    return b.envelope("ExportBanReinstated", {"measure_id": measure_id}, format_instant(at))


def _got(receiver: QuickReceiver, sub: dict[str, Any], path: str = "/hook") -> dict[str, Any]:
    """What reached `path`, verified, by webhook-id."""
    return verified(sub["secret"], [r for r in receiver.received if r.path == path])


def _ends(receiver: QuickReceiver, sub: dict[str, Any], path: str = "/hook") -> dict[str, Any]:
    """The derived suspension ends that reached `path`, by webhook-id."""
    return {m: p for m, p in _got(receiver, sub, path).items() if m.endswith("_end")}


def test_chip_and_company_filters_see_group_and_suspension_events(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    url = receiver.url
    subs = {
        "h20": subscribe(api, keys, url + "/h20", chips=["h20"]),
        "b30a": subscribe(api, keys, url + "/b30a", chips=["b30a"]),
        "amd": subscribe(api, keys, url + "/amd", companies=["amd"]),
        "types": subscribe(
            api, keys, url + "/types", event_types=["DestinationGroupAmended", "ExportBanSuspended"]
        ),
    }
    names = [
        "nvidia", "h20", "amd", "mi308", "b30a", "d5", "tier3", "d5_early", "m_h20",
        "d5_later", "m_amd", "tier3_later", "d5_third", "suspended", "reinstated",
    ]  # fmt: skip
    stored = record(
        api,
        keys,
        b.company("nvidia"),
        b.chip("h20"),
        b.company("amd"),
        b.chip("mi308", "amd"),
        b.chip("b30a"),
        _group("ear-d5"),
        _group("aidr-tier3"),
        _group("ear-d5", add=["KP"]),  # before any measure names the group
        b.measure("m-h20", chips=["h20"], destinations=["group:ear-d5", "RU"]),
        _group("ear-d5", add=["BY"]),
        b.measure(
            "m-amd",
            chips=["mi308"],
            companies=["amd"],
            destinations=["group:aidr-tier3"],
            except_destinations=["group:ear-d5"],
        ),
        _group("aidr-tier3", add=["SA"]),
        _group("ear-d5", remove=["KP"]),
        _suspend("m-h20", clock() - timedelta(days=2), None),
        _reinstate("m-h20", clock() - timedelta(days=1)),
    )
    events = dict(zip(names, stored, strict=True))
    settle(hooks)
    by_msg = {f"msg_{e['id']}": name for name, e in events.items()}

    def delivered(sub: str) -> list[str]:
        got = _got(receiver, subs[sub], f"/hook/{sub}")
        return sorted((by_msg[m] for m in got), key=lambda n: events[n]["position"])

    # group amendments from the moment a measure concerning the chip names the group
    assert delivered("h20") == ["h20", "m_h20", "d5_later", "d5_third", "suspended", "reinstated"]
    assert delivered("b30a") == ["b30a"]  # no measure names it
    # named in destinations and in except_destinations of a measure naming the company
    assert delivered("amd") == ["amd", "mi308", "m_amd", "tier3_later", "d5_third"]
    assert delivered("types") == ["d5_early", "d5_later", "tier3_later", "d5_third", "suspended"]
    payload = _got(receiver, subs["h20"], "/hook/h20")[f"msg_{events['d5_third']['id']}"]
    assert payload["type"] == "DestinationGroupAmended"
    assert payload["data"]["position"] == events["d5_third"]["position"]


def test_a_suspensions_end_is_sent_on_time_once(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    everything = subscribe(api, keys, receiver.url)
    reinstated = subscribe(api, keys, receiver.url + "/r", event_types=["ExportBanReinstated"])
    other_chip = subscribe(api, keys, receiver.url + "/b30a", chips=["b30a"])
    record(api, keys, *b.basics(), b.chip("b30a"), b.measure("m-h20"), b.measure("m-old"))
    start = clock()
    until = start + timedelta(hours=1)
    suspension = record(api, keys, _suspend("m-h20", start - timedelta(days=1), until))[0]
    # already over when recorded: like an expiry already past, its end goes out at once
    old = record(api, keys, _suspend("m-old", start - timedelta(days=9), start - timedelta(days=8)))
    settle(hooks)
    assert list(_ends(receiver, everything)) == [f"msg_{old[0]['id']}_end"]

    clock.now = until - timedelta(seconds=1)
    settle(hooks)
    assert f"msg_{suspension['id']}_end" not in _ends(receiver, everything)  # not before
    clock.now = until
    settle(hooks)
    msg = f"msg_{suspension['id']}_end"
    payload = _ends(receiver, everything)[msg]
    assert payload["type"] == "ExportBanReinstated"
    assert payload["timestamp"] == format_instant(until)  # the instant it fell due
    assert payload["data"]["id"] == suspension["id"]  # the suspension that set `until`
    assert payload["data"]["position"] == suspension["position"]
    assert payload["data"]["data"]["until"] == format_instant(until)
    assert payload["links"] == {"self": f"/v1/events/{suspension['id']}"}
    assert msg in _ends(receiver, reinstated, "/hook/r")  # the type filter takes it
    got_b30a = _got(receiver, other_chip, "/hook/b30a")  # not its chip: its registration only
    assert [p["type"] for p in got_b30a.values()] == ["ChipRegistered"]

    for _ in range(3):
        clock.advance(hours=6)
        settle(hooks)
    sent = [r.headers["webhook-id"] for r in receiver.received]
    assert sent.count(msg) == 2  # once per subscription that wants it, never again


def test_corrections_move_it_and_retractions_cancel_it(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    ids = ["moved", "retracted", "restored", "fixed-twice"]
    record(api, keys, *b.basics(), *(b.measure(m) for m in ids))
    start = clock()
    since, hour = start - timedelta(days=1), timedelta(hours=1)
    s = {m: record(api, keys, _suspend(m, since, start + hour))[0] for m in ids}

    def until(event: dict[str, Any], at: datetime) -> dict[str, Any]:
        return b.correction(event["id"], data={**event["data"], "until": format_instant(at)})

    record(api, keys, until(s["moved"], start + 2 * hour), b.retraction(s["retracted"]["id"]))
    record(api, keys, b.retraction(s["restored"]["id"]))
    record(api, keys, b.correction(s["restored"]["id"], effective_at=format_instant(since)))
    # the second correction changes only a clock: the first one's `until` stays
    record(api, keys, until(s["fixed-twice"], start + 3 * hour))
    record(api, keys, b.correction(s["fixed-twice"]["id"], reported_at=format_instant(since)))
    settle(hooks)

    def fired() -> set[str]:
        by_msg = {f"msg_{e['id']}_end": m for m, e in s.items()}
        return {by_msg[m] for m in _ends(receiver, sub)}

    clock.now = start + hour
    settle(hooks)
    assert fired() == {"restored"}
    clock.now = start + 2 * hour - timedelta(seconds=1)
    settle(hooks)
    assert fired() == {"restored"}
    clock.now = start + 2 * hour
    settle(hooks)
    assert fired() == {"restored", "moved"}
    payload = _ends(receiver, sub)[f"msg_{s['moved']['id']}_end"]
    assert payload["timestamp"] == format_instant(start + 2 * hour)
    clock.now = start + 3 * hour
    settle(hooks)
    assert fired() == {"restored", "moved", "fixed-twice"}
    clock.advance(days=2)
    settle(hooks)
    assert fired() == {"restored", "moved", "fixed-twice"}  # the retracted one never


def test_what_ends_the_suspension_first_cancels_it(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    sub = subscribe(api, keys, receiver.url)
    cases = [
        "reinstated", "lifted", "suspended-again", "reinstated-after",
        "reinstatement-retracted", "reinstatement-moved-after", "lift-moved-before",
    ]  # fmt: skip
    record(api, keys, *b.basics(), *(b.measure(m) for m in cases))
    start = clock()
    since, hour = start - timedelta(days=1), timedelta(hours=1)
    s = {m: record(api, keys, _suspend(m, since, start + 2 * hour))[0] for m in cases}
    later = record(api, keys, _suspend("suspended-again", start + hour, start + 3 * hour))[0]
    reinstatements = record(
        api,
        keys,
        _reinstate("reinstated", start + hour),
        _reinstate("reinstated-after", start + 4 * hour),  # a no-op: the measure is back
        _reinstate("reinstatement-retracted", start + hour),
        _reinstate("reinstatement-moved-after", start + hour),
        b.lift("lifted", effective_at=format_instant(start + hour)),
        b.lift("lift-moved-before", effective_at=format_instant(start + 5 * hour)),
    )
    record(
        api,
        keys,
        b.retraction(reinstatements[2]["id"]),
        b.correction(reinstatements[3]["id"], effective_at=format_instant(start + 4 * hour)),
        b.correction(reinstatements[5]["id"], effective_at=format_instant(start + hour)),
    )
    settle(hooks)
    by_msg = {f"msg_{e['id']}_end": m for m, e in s.items()}
    by_msg[f"msg_{later['id']}_end"] = "the later suspension"

    clock.now = start + 2 * hour
    settle(hooks)
    assert {by_msg[m] for m in _ends(receiver, sub)} == {
        "reinstated-after",
        "reinstatement-retracted",
        "reinstatement-moved-after",
    }
    clock.now = start + 3 * hour  # the later suspension took the running one's place
    settle(hooks)
    assert {by_msg[m] for m in _ends(receiver, sub)} == {
        "reinstated-after",
        "reinstatement-retracted",
        "reinstatement-moved-after",
        "the later suspension",
    }
    clock.advance(days=1)
    settle(hooks)
    assert len(_ends(receiver, sub)) == 4
    # the recorded reinstatement is an event of its own, with its own id
    got = _got(receiver, sub)
    assert got[f"msg_{reinstatements[0]['id']}"]["type"] == "ExportBanReinstated"
    assert got[f"msg_{reinstatements[0]['id']}_eff"]["type"] == "EffectiveDateReached"


def test_a_later_correction_of_a_clock_keeps_an_earlier_corrections_data(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    """Derived messages follow the event with every revision applied (the domain's rule),
    not the last correction alone: here a licence's expiry moved by a first correction."""
    sub = subscribe(api, keys, receiver.url, event_types=["LicenseExpired"])
    record(api, keys, *b.basics())
    start, hour = clock(), timedelta(hours=1)
    grant = record(api, keys, b.license_granted(expires_at=format_instant(start + hour)))[0]
    moved = {**grant["data"], "expires_at": format_instant(start + 2 * hour)}
    record(api, keys, b.correction(grant["id"], data=moved))
    record(api, keys, b.correction(grant["id"], effective_at="2025-08-12"))
    settle(hooks)
    clock.now = start + hour
    settle(hooks)
    assert _got(receiver, sub) == {}
    clock.now = start + 2 * hour
    settle(hooks)
    payload = _got(receiver, sub)[f"msg_{grant['id']}_exp"]
    assert payload["timestamp"] == format_instant(start + 2 * hour)
