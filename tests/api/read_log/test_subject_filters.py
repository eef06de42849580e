"""GET /v1/events?chip=…&company=…: the events that concern a chip or a company, by what
their object had named by then."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from projections.event_queries import subjects_of
from services.bootstrap import Container
from tests.support import builders as b
from tests.support.read_log import Stored, assert_parameter_problem, get, items, names, write

# -- filters: chip and company -----------------------------------------------------------


def test_chip_lists_the_events_that_concern_it(client: TestClient, log: Stored) -> None:
    # the amendment and the lift name no chip: they concern the measure's chips; so does
    # the correction (an event concerns what its object had named by then).
    assert names(log, items(client, "?chip=h20")) == [
        "h20",
        "imposed",
        "amended",
        "lifted",
        "corrected",
    ]


def test_chip_includes_a_licences_revocation(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?chip=b30a")) == ["b30a", "granted", "halted", "revoked"]


def test_chip_includes_the_lift_of_a_measure_an_amendment_extended_to_it(
    client: TestClient, write_headers: dict[str, str], container: Container
) -> None:
    for body in (
        *b.basics(),
        b.chip("b30a"),
        b.measure(chips=["h20"]),
        b.amendment(chips=["h20", "b30a"]),
    ):
        write(client, write_headers, body)
    lifted = write(client, write_headers, b.lift())
    container.catch_up()
    assert lifted["id"] in [e["id"] for e in items(client, "?chip=b30a")]


def test_an_event_concerns_what_its_object_had_named_by_then(
    client: TestClient, write_headers: dict[str, str], container: Container
) -> None:
    """Not what it names later: the events before an amendment extended a measure to b30a
    do not concern b30a; a correction after it does, even of the first event."""
    stored = {}
    for name, body in (
        *((f"basic{i}", x) for i, x in enumerate(b.basics())),
        ("b30a", b.chip("b30a")),
        ("imposed", b.measure(chips=["h20"])),
        ("tightened", b.amendment(control="ban")),
        ("extended", b.amendment(chips=["h20", "b30a"])),
    ):
        stored[name] = write(client, write_headers, body)
    stored["corrected"] = write(
        client, write_headers, b.correction(stored["imposed"]["id"], effective_at="2025-04-10")
    )
    container.catch_up()
    assert names(stored, items(client, "?chip=b30a")) == ["b30a", "extended", "corrected"]
    assert names(stored, items(client, "?chip=h20"))[-4:] == [
        "imposed",
        "tightened",
        "extended",
        "corrected",
    ]


def test_a_production_decision_concerns_what_it_names_not_the_companys_earlier_ones(
    client: TestClient, write_headers: dict[str, str], container: Container
) -> None:
    """A company's halts and resumes share one aggregate: a later halt of h20 does not
    concern the chip and supplier of an earlier halt of b30a; a correction of that earlier
    halt does (and what the correction names)."""
    stored = {}
    for name, body in (
        *((f"basic{i}", x) for i, x in enumerate(b.basics())),
        ("amkor", b.company("amkor")),
        ("tsmc", b.company("tsmc")),
        ("b30a", b.chip("b30a")),
        ("halted_b30a", b.halt("nvidia", chips=["b30a"], suppliers=["amkor"])),
        ("halted_h20", b.halt("nvidia", chips=["h20"], effective_at="2025-09-01")),
        ("resumed_h20", b.resume("nvidia", chips=["h20"])),
    ):
        stored[name] = write(client, write_headers, body)
    stored["fixed"] = write(
        client, write_headers, b.correction(stored["halted_b30a"]["id"], effective_at="2025-08-23")
    )
    stored["moved"] = write(
        client,
        write_headers,
        b.correction(
            stored["halted_b30a"]["id"],
            data={"company": "nvidia", "chips": ["b30a"], "suppliers": ["tsmc"]},
        ),
    )
    container.catch_up()
    assert names(stored, items(client, "?chip=b30a")) == ["b30a", "halted_b30a", "fixed", "moved"]
    assert names(stored, items(client, "?company=amkor")) == [
        "amkor",
        "halted_b30a",
        "fixed",
        "moved",
    ]
    assert names(stored, items(client, "?company=tsmc")) == ["tsmc", "moved"]
    assert names(stored, items(client, "?chip=h20"))[-2:] == ["halted_h20", "resumed_h20"]
    assert "halted_h20" in names(stored, items(client, "?company=nvidia"))
    with container.engine.connect() as conn:  # the webhook fan-out's view of the same
        found = subjects_of(conn, [stored[n]["position"] for n in ("halted_h20", "moved")])
    assert found[stored["halted_h20"]["position"]] == {"company:nvidia", "chip:h20"}
    assert found[stored["moved"]["position"]] == {
        "company:nvidia",
        "chip:b30a",
        "company:amkor",
        "company:tsmc",
    }


def test_chip_includes_a_correction_that_names_it(
    client: TestClient, log: Stored, write_headers: dict[str, str], container: Container
) -> None:
    data = {**log["imposed"]["data"], "chips": ["b30a"]}
    fixed = write(client, write_headers, b.correction(log["imposed"]["id"], data=data))
    container.catch_up()
    assert items(client, "?chip=b30a")[-1]["id"] == fixed["id"]


def test_company_lists_the_events_that_name_it(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?company=nvidia")) == [
        "nvidia",
        "h20",
        "b30a",
        "granted",
        "halted",
        "revoked",
    ]


def test_company_includes_orders_received_as_a_supplier(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?company=amkor")) == ["amkor", "halted"]


def test_filters_combine(client: TestClient, log: Stored) -> None:
    assert names(log, items(client, "?chip=b30a&company=amkor")) == ["halted"]
    assert names(log, items(client, "?chip=h20&type=ExportBanAmended")) == ["amended"]


def test_a_chip_that_is_not_a_slug_is_refused(
    client: TestClient, log: Stored, subtests: pytest.Subtests
) -> None:
    for query, parameter in (
        ("?chip=H20", "chip"),
        ("?chip=-h20", "chip"),
        ("?company=Nvidia%20Corp", "company"),
    ):
        with subtests.test(query):
            assert_parameter_problem(get(client, query), parameter)
