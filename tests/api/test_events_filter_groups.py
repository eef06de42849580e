"""GET /v1/events?chip=…&company=… with destination groups (docs/webhooks.md, "Subscriptions";
projections/event_queries.py): a group's event concerns a chip or company when, by that
event's position, an aggregate that concerns it (by then) names the group — in
`destinations`, `except_destinations`, or an override's or exception's `destinations`.
Suspensions and reinstatements are events of the measure's own aggregate. Both backends."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections.event_queries import subjects_of
from services.bootstrap import Container
from tests.support import builders as b
from tests.support.read_log import Stored, get, items, names, write


def _group(group_id: str, members: list[str]) -> dict[str, Any]:
    data = {
        "group_id": group_id,
        "name": f"Group {group_id}",
        "authority": "BIS",
        "jurisdiction": "US",
        "members": members,
    }
    return b.envelope("DestinationGroupDefined", data, "2025-01-01")


def _amended(group_id: str, effective_at: str, **change: list[str]) -> dict[str, Any]:
    return b.envelope("DestinationGroupAmended", {"group_id": group_id, **change}, effective_at)


@pytest.fixture
def groups_log(client: TestClient, write_headers: dict[str, str], container: Container) -> Stored:
    """Three groups; measures that name them at different positions; group amendments
    before and after they are named; a suspension, a reinstatement, a group's correction."""
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("nvidia", b.company("nvidia")),
        ("h20", b.chip("h20")),
        ("amd", b.company("amd")),
        ("mi308", b.chip("mi308", "amd")),
        ("b30a", b.chip("b30a")),
        ("d5", _group("ear-d5", ["CN", "MO"])),
        ("d1", _group("ear-d1", ["RU"])),
        ("tier3", _group("aidr-tier3", ["AE"])),
        ("d5_early", _amended("ear-d5", "2025-02-01", add=["KP"])),  # no measure names it yet
        ("m_h20", b.measure("m-h20", chips=["h20"], destinations=["group:ear-d5", "RU"])),
        ("d5_later", _amended("ear-d5", "2025-05-01", add=["BY"])),
        ("m_b30a", b.measure("m-b30a", chips=["b30a"], destinations=["CN"])),
        ("d1_early", _amended("ear-d1", "2025-03-01", add=["IR"])),  # before m-b30a names it
        ("b30a_amended", b.amendment("m-b30a", destinations=["group:ear-d1"])),
        ("d1_later", _amended("ear-d1", "2025-06-01", remove=["IR"])),
        (
            "m_amd",
            b.measure(
                "m-amd",
                chips=["mi308"],
                companies=["amd"],
                destinations=["CN"],
                except_destinations=["group:aidr-tier3"],
                exceptions=[
                    {
                        "exception_id": "nac",
                        "destinations": ["group:ear-d1"],
                        "conditions": "notify and ship",
                    }
                ],
            ),
        ),
        ("tier3_amended", _amended("aidr-tier3", "2025-07-01", add=["SA"])),
        ("d1_third", _amended("ear-d1", "2025-08-01", add=["SY"])),
        (
            "suspended",
            b.envelope(
                "ExportBanSuspended",
                {"measure_id": "m-h20", "until": "2025-07-01", "reason": "talks"},
                "2025-06-01",
            ),
        ),
        ("reinstated", b.envelope("ExportBanReinstated", {"measure_id": "m-h20"}, "2025-06-15")),
    ]
    stored = {name: write(client, write_headers, body) for name, body in bodies}
    stored["d5_fixed"] = write(
        client,
        write_headers,
        b.correction(stored["d5"]["id"], data={**stored["d5"]["data"], "members": ["CN"]}),
    )
    container.catch_up()
    return stored


def test_a_chip_lists_the_events_of_the_groups_its_measures_name_from_then_on(
    client: TestClient, groups_log: Stored
) -> None:
    # d5's definition and its first amendment came before m-h20 named the group
    assert names(groups_log, items(client, "?chip=h20")) == [
        "h20",
        "m_h20",
        "d5_later",
        "suspended",
        "reinstated",
        "d5_fixed",
    ]
    # m-b30a names ear-d1 only from its amendment on
    assert names(groups_log, items(client, "?chip=b30a")) == [
        "b30a",
        "m_b30a",
        "b30a_amended",
        "d1_later",
        "d1_third",
    ]
    # named in except_destinations and in an exception's destinations
    assert names(groups_log, items(client, "?chip=mi308")) == [
        "mi308",
        "m_amd",
        "tier3_amended",
        "d1_third",
    ]


def test_a_company_lists_the_events_of_groups_named_by_measures_naming_it(
    client: TestClient, groups_log: Stored
) -> None:
    assert names(groups_log, items(client, "?company=amd")) == [
        "amd",
        "mi308",
        "m_amd",
        "tier3_amended",
        "d1_third",
    ]
    # nvidia is named by no measure: no group event concerns it
    assert names(groups_log, items(client, "?company=nvidia")) == ["nvidia", "h20", "b30a"]


def test_chip_and_company_together_each_through_its_own_measures(
    client: TestClient, groups_log: Stored
) -> None:
    both = names(groups_log, items(client, "?chip=mi308&company=amd"))
    assert both == ["mi308", "m_amd", "tier3_amended", "d1_third"]
    # d1_third concerns b30a (through m-b30a) and amd (through m-amd)
    assert names(groups_log, items(client, "?chip=b30a&company=amd")) == ["d1_third"]
    assert names(groups_log, items(client, "?chip=h20&company=amd")) == []


def test_type_and_time_filters_apply_to_group_events(
    client: TestClient, groups_log: Stored
) -> None:
    query = "?chip=b30a&type=DestinationGroupAmended"
    assert names(groups_log, items(client, query)) == ["d1_later", "d1_third"]
    query = "?chip=h20&type=ExportBanSuspended,ExportBanReinstated"
    assert names(groups_log, items(client, query)) == ["suspended", "reinstated"]
    query = "?chip=b30a&effective_from=2025-07-01"
    assert names(groups_log, items(client, query)) == ["d1_third"]
    query = "?company=amd&type=DestinationGroupDefined,DestinationGroupAmended"
    assert names(groups_log, items(client, query)) == ["tier3_amended", "d1_third"]


@pytest.mark.parametrize("subject", ["chip=h20", "chip=b30a", "chip=mi308", "company=amd"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_walk_the_interleaved_events_once_each(
    client: TestClient, groups_log: Stored, subject: str, limit: int
) -> None:
    whole = items(client, f"?{subject}")
    seen: list[dict[str, Any]] = []
    after = 0
    while True:
        response = get(client, f"?{subject}&limit={limit}&after={after}")
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += page["items"]
        if page["next"] is None:
            break
        assert page["next"] == str(page["items"][-1]["position"])
        after = int(page["next"])
    assert seen == whole
    # a cursor in the middle of the group's events continues after it
    middle = whole[len(whole) // 2]["position"]
    rest = items(client, f"?{subject}&after={middle}")
    assert rest == [e for e in whole if e["position"] > middle]


def test_the_fan_out_sees_the_same_subjects(groups_log: Stored, container: Container) -> None:
    wanted = ["d5_early", "d5_later", "d1_early", "d1_later", "d1_third", "suspended", "d5_fixed"]
    with container.engine.connect() as conn:
        found = subjects_of(conn, [groups_log[n]["position"] for n in wanted])

    def people(name: str) -> set[str]:
        return {
            s for s in found[groups_log[name]["position"]] if s.startswith(("chip:", "company:"))
        }

    assert people("d5_early") == set()
    assert people("d5_later") == {"chip:h20"}
    assert people("d1_early") == set()
    assert people("d1_later") == {"chip:b30a"}
    assert people("d1_third") == {"chip:b30a", "chip:mi308", "company:amd"}
    assert people("suspended") == {"chip:h20"}
    assert people("d5_fixed") == {"chip:h20"}
