"""The rest of a chip's state: its upcoming changes, production (halts and resumes),
investigations and advisories."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene

# -- upcoming --------------------------------------------------------------------------------


def upcoming(s: Scene, **params: Any) -> list[tuple[str, str, str]]:
    return [(u["effective_at"], u["kind"], u["id"]) for u in s.state(**params)["upcoming"]]


def test_upcoming_lists_a_licence_expiry(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(expires_at="2025-10-31"))
    assert upcoming(s, as_of="2025-09-01") == [
        ("2025-11-01T00:00:00Z", "LicenseExpired", s.id("lic"))
    ]


def test_upcoming_omits_the_expiry_of_a_licence_revoked_first(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(expires_at="2025-11-30"), b.license_revoked(s.id("lic"), "2025-11-01"))
    assert upcoming(s, as_of="2025-09-01") == [
        ("2025-11-01T00:00:00Z", "LicenseRevoked", s.id("lic"))
    ]


def test_upcoming_lists_changes_of_a_measure_that_will_cover_the_chip(api: Api) -> None:
    s = Scene(api).register()
    bystander = Scene(api).register()
    api.batch(
        bystander.measure(),
        b.amendment(bystander.id("m"), "2025-09-01", chips=[bystander.chip, s.chip]),
        b.lift(bystander.id("m"), "2025-12-01"),
    )
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-09-01T00:00:00Z", "ExportBanAmended", bystander.id("m")),
        ("2025-12-01T00:00:00Z", "ExportBanLifted", bystander.id("m")),
    ]


def test_upcoming_is_sorted_by_time_then_id_then_kind(api: Api) -> None:
    s = Scene(api).register()
    api.batch(
        s.licence("b", effective_at="2025-08-11"),
        s.licence("a", effective_at="2025-08-11"),
        s.measure("c", effective_at="2025-06-01"),
    )
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-06-01T00:00:00Z", "ExportBanImposed", s.id("c")),
        ("2025-08-11T00:00:00Z", "LicenseGranted", s.id("a")),
        ("2025-08-11T00:00:00Z", "LicenseGranted", s.id("b")),
    ]


def test_upcoming_is_empty_after_the_last_change(licensed_scene: Scene) -> None:
    assert upcoming(licensed_scene, as_of="2025-09-01") == []


def test_upcoming_lists_an_amendment_that_drops_the_chip(api: Api) -> None:
    s = Scene(api).register()
    bystander = Scene(api).register()
    api.batch(
        s.measure(chips=[s.chip, bystander.chip]),
        b.amendment(s.id("m"), "2025-09-01", chips=[bystander.chip]),
    )
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-09-01T00:00:00Z", "ExportBanAmended", s.id("m"))
    ]


def test_upcoming_holds_at_most_fifty_changes(api: Api) -> None:
    s = Scene(api).register()
    api.batch(*(s.licence(f"l{i:02d}", effective_at="2025-08-11") for i in range(55)))
    assert [u[2] for u in upcoming(s, as_of="2025-05-01")] == [s.id(f"l{i:02d}") for i in range(50)]


# -- production, investigations, advisories --------------------------------------------------


@pytest.fixture
def halted_scene(api: Api) -> Scene:
    """The maker halts the chip on 08-22; a second company (with the maker as its supplier)
    halts it on 08-20 and resumes on 09-01."""
    s = Scene(api).register()
    other = s.id("packer")
    api.batch(
        b.company(other),
        b.halt(s.company, [s.chip], "2025-08-22", suppliers=[other]),
        b.halt(other, [s.chip], "2025-08-20", suppliers=[s.company]),
        b.resume(other, [s.chip], "2025-09-01"),
    )
    return s


@pytest.mark.parametrize(
    ("as_of", "production"),
    [
        ("2025-08-19", {"status": "active", "since": None, "halted_by": [], "suppliers": []}),
        (
            "2025-08-25",
            {
                "status": "halted",
                "since": "2025-08-20T00:00:00Z",
                "halted_by": ["co-{n}", "packer-{n}"],
                "suppliers": ["co-{n}", "packer-{n}"],
            },
        ),
        (
            "2025-09-01",
            {
                "status": "halted",
                "since": "2025-08-22T00:00:00Z",
                "halted_by": ["co-{n}"],
                "suppliers": ["packer-{n}"],
            },
        ),
    ],
    ids=["before", "both-open", "one-resumed"],
)
def test_production_is_the_union_of_the_open_halts(
    halted_scene: Scene, as_of: str, production: dict[str, Any]
) -> None:
    expected = {
        k: ([x.format(n=halted_scene.n) for x in v] if isinstance(v, list) else v)
        for k, v in production.items()
    }
    assert halted_scene.state(as_of=as_of)["production"] == expected


def test_a_resume_left_without_its_halt_is_a_silent_no_op(api: Api) -> None:
    s = Scene(api).register()
    halted, _ = api.batch(
        b.halt(s.company, [s.chip], "2025-08-22"), b.resume(s.company, [s.chip], "2025-09-01")
    )
    api.batch(b.retraction(halted["id"]))
    body = s.state()
    assert (body["production"]["status"], body["anomalies"]) == ("active", [])


def test_a_concluded_investigation_stays_listed_with_its_finding(api: Api) -> None:
    s = Scene(api).register()
    api.batch(
        b.investigation(s.id("case"), "2025-07-31", companies=[s.company], chips=[s.chip]),
        b.investigation_concluded(s.id("case"), "2025-11-01", finding="violation"),
    )
    assert s.state(as_of="2025-11-01")["investigations"] == [
        {
            "case_id": s.id("case"),
            "authority": "CAC",
            "jurisdiction": "CN",
            "kind": "summons",
            "status": "concluded",
            "finding": "violation",
        }
    ]


def test_a_withdrawn_advisory_is_no_longer_listed(api: Api) -> None:
    s = Scene(api).register()
    api.batch(
        b.advisory(s.id("adv"), "2025-08-12", chips=[s.chip], companies=[s.company]),
        b.advisory_withdrawn(s.id("adv"), "2025-10-01"),
    )
    listed_at = [
        (len(s.state(as_of=t)["advisories"]), len(s.company_state(as_of=t)["advisories"]))
        for t in ("2025-09-30", "2025-10-01")
    ]
    assert listed_at == [(1, 1), (0, 0)]
