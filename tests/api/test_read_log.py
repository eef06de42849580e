"""GET /v1/events and GET /v1/events/{id}: the raw log, paginated and filtered (SPEC §5)."""

from __future__ import annotations

import itertools
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.webhooks.fanout import subjects_of
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock

Stored = dict[str, dict[str, Any]]
LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def write(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def log(client: TestClient, write_headers: dict[str, str], container: Container) -> Stored:
    """A small log, projected: two companies, two chips, a measure's life, a licence's life."""
    bodies = {
        "nvidia": b.company("nvidia"),
        "amkor": b.company("amkor"),
        "h20": b.chip("h20"),
        "b30a": b.chip("b30a"),
        "imposed": b.measure(chips=["h20"], effective_at="2025-04-09"),
        "amended": b.amendment(effective_at="2025-05-01", control="ban"),  # names no chip
        "granted": b.license_granted(chips=["b30a"], effective_at="2025-08-11T18:00:00Z"),
        "halted": b.halt("nvidia", chips=["b30a"], suppliers=["amkor"], effective_at="2025-08-22"),
        "revoked": b.license_revoked(effective_at="2025-10-01"),
        "lifted": b.lift(effective_at="2025-12-02"),
    }
    stored = {name: write(client, write_headers, body) for name, body in bodies.items()}
    stored["corrected"] = write(client, write_headers,
                                b.correction(stored["imposed"]["id"], effective_at="2025-04-10"))
    container.catch_up()
    return stored


def get(client: TestClient, query: str = "") -> httpx.Response:
    return client.get(f"/v1/events{query}")


def items(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = get(client, query)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def names(log: Stored, listed: list[dict[str, Any]]) -> list[str]:
    by_id = {event["id"]: name for name, event in log.items()}
    return [by_id[event["id"]] for event in listed]


def assert_parameter_problem(response: httpx.Response, parameter: str,
                             status: int = 422, kind: str = "validation-error") -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert parameter in [e.get("parameter") for e in problem["errors"]], problem["errors"]


# -- the whole log -----------------------------------------------------------------------

def test_the_log_lists_every_stored_event_as_stored(client: TestClient, log: Stored) -> None:
    listed = items(client, "")
    assert listed == sorted(log.values(), key=lambda e: e["position"])


def test_positions_increase_strictly(client: TestClient, log: Stored) -> None:
    positions = [e["position"] for e in items(client, "?limit=1000")]
    assert len(positions) == len(log)
    assert all(a < b for a, b in itertools.pairwise(positions))


# -- pagination --------------------------------------------------------------------------

def test_limit_caps_a_page_and_next_is_the_cursor_of_its_last_item(client: TestClient,
                                                                   log: Stored) -> None:
    page = get(client, "?limit=4").json()
    assert len(page["items"]) == 4
    assert page["next"] == str(page["items"][-1]["position"])


def test_after_continues_from_the_cursor(client: TestClient, log: Stored) -> None:
    first = get(client, "?limit=4").json()
    second = items(client, f"?limit=4&after={first['next']}")
    everything = items(client, "")
    assert second == everything[4:8]


def test_following_the_link_header_yields_the_next_page(client: TestClient, log: Stored) -> None:
    seen: list[dict[str, Any]] = []
    response = get(client, "?limit=3")
    while True:
        assert response.status_code == 200, response.text
        seen += response.json()["items"]
        if response.json()["next"] is None:
            break
        link = LINK.match(response.headers["link"])
        assert link is not None, response.headers["link"]
        response = client.get(link["url"])
    assert seen == items(client, "")


def test_the_link_keeps_the_filters(client: TestClient, log: Stored) -> None:
    response = get(client, "?chip=h20&limit=2")
    link = LINK.match(response.headers["link"])
    assert link is not None
    following = client.get(link["url"]).json()["items"]
    assert following == items(client, "?chip=h20")[2:4]


def test_the_last_page_has_no_next_and_no_link(client: TestClient, log: Stored) -> None:
    response = get(client, f"?limit=3&after={log['revoked']['position']}")
    assert response.json()["next"] is None
    assert len(response.json()["items"]) == 2
    assert "link" not in response.headers


def test_a_page_that_exactly_fills_the_limit_is_the_last(client: TestClient, log: Stored) -> None:
    response = get(client, f"?limit={len(log)}")
    assert len(response.json()["items"]) == len(log)
    assert response.json()["next"] is None and "link" not in response.headers


def test_the_limit_is_from_1_to_1000(client: TestClient, log: Stored,
                                     subtests: pytest.Subtests) -> None:
    for limit in ("0", "1001", "-1", "ten", "2.5"):
        with subtests.test(limit=limit):
            assert_parameter_problem(get(client, f"?limit={limit}"), "limit")
    for limit in ("1", "1000"):
        with subtests.test(limit=limit):
            assert get(client, f"?limit={limit}").status_code == 200


def test_a_malformed_cursor_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?after=abc"), "after")


def test_an_unknown_query_parameter_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?chips=h20"), "chips")


# -- filters -----------------------------------------------------------------------------

def test_type_filters_by_repeated_parameters(client: TestClient, log: Stored) -> None:
    listed = items(client, "?type=LicenseGranted&type=ExportBanLifted")
    assert names(log, listed) == ["granted", "lifted"]


def test_type_filters_by_a_comma_separated_list(client: TestClient, log: Stored) -> None:
    listed = items(client, "?type=LicenseGranted,ExportBanLifted")
    assert names(log, listed) == ["granted", "lifted"]


def test_an_unknown_type_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?type=LicenseGranted,LicenceGranted"), "type")


def test_chip_lists_the_events_that_concern_it(client: TestClient, log: Stored) -> None:
    # the amendment and the lift name no chip: they concern the measure's chips; so does
    # the correction (an event concerns what its object had named by then).
    assert names(log, items(client, "?chip=h20")) == [
        "h20", "imposed", "amended", "lifted", "corrected"]


def test_chip_includes_a_licences_revocation(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?chip=b30a")) == ["b30a", "granted", "halted", "revoked"]


def test_chip_includes_the_lift_of_a_measure_an_amendment_extended_to_it(
        client: TestClient, write_headers: dict[str, str], container: Container) -> None:
    for body in (*b.basics(), b.chip("b30a"), b.measure(chips=["h20"]),
                 b.amendment(chips=["h20", "b30a"])):
        write(client, write_headers, body)
    lifted = write(client, write_headers, b.lift())
    container.catch_up()
    assert lifted["id"] in [e["id"] for e in items(client, "?chip=b30a")]


def test_an_event_concerns_what_its_object_had_named_by_then(
        client: TestClient, write_headers: dict[str, str], container: Container) -> None:
    """Not what it names later: the events before an amendment extended a measure to b30a
    do not concern b30a; a correction after it does, even of the first event."""
    stored = {}
    for name, body in (*((f"basic{i}", x) for i, x in enumerate(b.basics())),
                       ("b30a", b.chip("b30a")), ("imposed", b.measure(chips=["h20"])),
                       ("tightened", b.amendment(control="ban")),
                       ("extended", b.amendment(chips=["h20", "b30a"]))):
        stored[name] = write(client, write_headers, body)
    stored["corrected"] = write(client, write_headers,
                                b.correction(stored["imposed"]["id"], effective_at="2025-04-10"))
    container.catch_up()
    assert names(stored, items(client, "?chip=b30a")) == ["b30a", "extended", "corrected"]
    assert names(stored, items(client, "?chip=h20"))[-4:] == [
        "imposed", "tightened", "extended", "corrected"]


def test_a_production_decision_concerns_what_it_names_not_the_companys_earlier_ones(
        client: TestClient, write_headers: dict[str, str], container: Container) -> None:
    """A company's halts and resumes share one aggregate: a later halt of h20 does not
    concern the chip and supplier of an earlier halt of b30a; a correction of that earlier
    halt does (and what the correction names)."""
    stored = {}
    for name, body in (*((f"basic{i}", x) for i, x in enumerate(b.basics())),
                       ("amkor", b.company("amkor")), ("tsmc", b.company("tsmc")),
                       ("b30a", b.chip("b30a")),
                       ("halted_b30a", b.halt("nvidia", chips=["b30a"], suppliers=["amkor"])),
                       ("halted_h20", b.halt("nvidia", chips=["h20"], effective_at="2025-09-01")),
                       ("resumed_h20", b.resume("nvidia", chips=["h20"]))):
        stored[name] = write(client, write_headers, body)
    stored["fixed"] = write(client, write_headers, b.correction(
        stored["halted_b30a"]["id"], effective_at="2025-08-23"))
    stored["moved"] = write(client, write_headers, b.correction(stored["halted_b30a"]["id"], data={
        "company": "nvidia", "chips": ["b30a"], "suppliers": ["tsmc"]}))
    container.catch_up()
    assert names(stored, items(client, "?chip=b30a")) == ["b30a", "halted_b30a", "fixed", "moved"]
    assert names(stored, items(client, "?company=amkor")) == ["amkor", "halted_b30a", "fixed",
                                                              "moved"]
    assert names(stored, items(client, "?company=tsmc")) == ["tsmc", "moved"]
    assert names(stored, items(client, "?chip=h20"))[-2:] == ["halted_h20", "resumed_h20"]
    assert "halted_h20" in names(stored, items(client, "?company=nvidia"))
    with container.engine.connect() as conn:  # the webhook fan-out's view of the same
        found = subjects_of(conn, [stored[n]["position"] for n in ("halted_h20", "moved")])
    assert found[stored["halted_h20"]["position"]] == {"company:nvidia", "chip:h20"}
    assert found[stored["moved"]["position"]] == {
        "company:nvidia", "chip:b30a", "company:amkor", "company:tsmc"}


def test_chip_includes_a_correction_that_names_it(client: TestClient, log: Stored,
                                                  write_headers: dict[str, str],
                                                  container: Container) -> None:
    data = {**log["imposed"]["data"], "chips": ["b30a"]}
    fixed = write(client, write_headers, b.correction(log["imposed"]["id"], data=data))
    container.catch_up()
    assert items(client, "?chip=b30a")[-1]["id"] == fixed["id"]


def test_company_lists_the_events_that_name_it(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?company=nvidia")) == [
        "nvidia", "h20", "b30a", "granted", "halted", "revoked"]


def test_company_includes_orders_received_as_a_supplier(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?company=amkor")) == ["amkor", "halted"]


def test_filters_combine(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?chip=b30a&company=amkor")) == ["halted"]
    assert names(log, items(client, "?chip=h20&type=ExportBanAmended")) == ["amended"]


def test_a_chip_that_is_not_a_slug_is_refused(client: TestClient, log: Stored,
                                              subtests: pytest.Subtests) -> None:
    for query, parameter in (("?chip=H20", "chip"), ("?chip=-h20", "chip"),
                             ("?company=Nvidia%20Corp", "company")):
        with subtests.test(query):
            assert_parameter_problem(get(client, query), parameter)


def test_effective_from_a_bare_date_starts_at_that_days_start(client: TestClient,
                                                              log: Stored) -> None:
    # the amendment takes effect at 2025-05-01T00:00:00Z
    assert names(log, items(client, "?effective_from=2025-05-01&type=ExportBanAmended")) \
        == ["amended"]
    assert names(log, items(client, "?effective_from=2025-05-02&type=ExportBanAmended")) == []


def test_effective_to_a_bare_date_runs_to_that_days_end(client: TestClient, log: Stored) -> None:
    # the licence takes effect at 2025-08-11T18:00:00Z
    assert names(log, items(client, "?effective_to=2025-08-11&type=LicenseGranted")) \
        == ["granted"]
    assert names(log, items(client, "?effective_to=2025-08-10&type=LicenseGranted")) == []


def test_an_effective_range_keeps_what_takes_effect_inside_it(client: TestClient,
                                                             log: Stored) -> None:
    listed = items(client, "?effective_from=2025-05-01&effective_to=2025-10-01")
    assert names(log, listed) == ["amended", "granted", "halted", "revoked"]


def test_effective_bounds_take_timestamps_with_offsets(client: TestClient, log: Stored) -> None:
    query = "?effective_from=2025-08-11T20:00:00%2B02:00&effective_to=2025-08-11T18:00:00Z"
    assert names(log, items(client, query)) == ["granted"]


def test_an_effective_bound_must_be_a_time(client: TestClient, log: Stored,
                                           subtests: pytest.Subtests) -> None:
    for query, parameter in (("?effective_from=yesterday", "effective_from"),
                             ("?effective_to=2025-08-11T18:00:00", "effective_to"),
                             ("?recorded_before=2025-02-30", "recorded_before")):
        with subtests.test(query):
            assert_parameter_problem(get(client, query), parameter)


def test_recorded_before_excludes_what_was_recorded_at_or_after_it(
        client: TestClient, write_headers: dict[str, str], container: Container,
        clock: FakeClock) -> None:
    early = write(client, write_headers, b.company("nvidia"))
    clock.advance(hours=1)
    late = write(client, write_headers, b.company("amkor"))
    container.catch_up()
    assert [e["id"] for e in items(client, f"?recorded_before={late['recorded_at']}")] \
        == [early["id"]]
    just_after = late["recorded_at"].replace("Z", ".000001Z")
    assert [e["id"] for e in items(client, f"?recorded_before={just_after}")] \
        == [early["id"], late["id"]]


# -- one event ---------------------------------------------------------------------------

def test_one_event_is_served_as_stored(client: TestClient, log: Stored) -> None:
    response = client.get(f"/v1/events/{log['granted']['id']}")
    assert response.status_code == 200
    assert response.json() == log["granted"]


def test_an_unknown_event_is_a_not_found_problem(client: TestClient, log: Stored,
                                                 subtests: pytest.Subtests) -> None:
    for event_id in (str(uuid.uuid4()), "not-an-id", "1"):
        with subtests.test(event_id):
            response = client.get(f"/v1/events/{event_id}")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/not-found"
            assert response.json()["status"] == 404


# -- read-your-writes --------------------------------------------------------------------

def test_min_position_already_projected_answers_at_once(client: TestClient, log: Stored) -> None:
    head = max(e["position"] for e in log.values())
    started = time.monotonic()
    response = get(client, f"?min_position={head}")
    assert response.status_code == 200
    assert len(response.json()["items"]) == len(log)
    assert time.monotonic() - started < 1


def test_min_position_waits_for_the_projection(client: TestClient, write_headers: dict[str, str],
                                               container: Container,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    stored = write(client, write_headers, b.company())
    nudges: list[int] = []

    def project_when_nudged(head: int = 0) -> None:  # the projector thread, driven inline
        nudges.append(head)
        container.catch_up()

    monkeypatch.setattr(container.runner, "nudge", project_when_nudged)
    response = get(client, f"?min_position={stored['position']}")
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()["items"]] == [stored["id"]]
    assert nudges, "the read answered without waiting for the projection"


@pytest.fixture
def impatient_client(backend: Backend, clock: FakeClock) -> Iterator[TestClient]:
    """An app whose reads wait at most 0.2 s for the projections."""
    settings = backend.settings.model_copy(update={"min_position_wait_seconds": 0.2})
    container = bootstrap(settings, clock=clock)
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield client
    finally:
        container.close()


def test_an_unreachable_min_position_is_503_with_retry_after(
        impatient_client: TestClient) -> None:
    started = time.monotonic()
    response = impatient_client.get("/v1/events?min_position=1000000")
    assert time.monotonic() - started < 2
    assert_parameter_problem(response, "min_position", status=503, kind="not-ready")
    assert int(response.headers["retry-after"]) >= 1


def test_a_negative_min_position_is_refused(client: TestClient) -> None:
    assert_parameter_problem(get(client, "?min_position=-1"), "min_position")
