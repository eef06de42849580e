"""Export restrictions in a state: coverage by threshold criteria, end-user measures, the
status per jurisdiction and over a measure's life."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import EU, OCTOBER_2023, Scene, reported, serial

# -- threshold criteria -----------------------------------------------------------------------

CRITERIA_CHIPS = {  # name → (specs, matched_by)
    "big": ({"tpp": 5000}, {"by": "criteria", "index": 0}),
    "edge": ({"tpp": 4800}, {"by": "criteria", "index": 0}),
    "dense": ({"tpp": 2000, "performance_density": 6}, {"by": "criteria", "index": 1}),
    "both": ({"tpp": 6000, "performance_density": 9}, {"by": "criteria", "index": 0}),
    "sparse": ({"tpp": 2000, "performance_density": 5}, None),
    "low-tpp": ({"tpp": 1000, "performance_density": 10}, None),
    "no-density": ({"tpp": 2000}, None),
    "no-specs": ({}, None),
    "named": ({"tpp": 5000}, {"by": "named"}),
}


@pytest.fixture(scope="module")
def criteria_world(api: Api) -> dict[str, str]:
    """One measure (to AF, which no other test uses) with the October 2023 clauses and one
    named chip; a chip per case. Returns case name → chip id."""
    n = next(serial)
    chips = {name: f"crit-{n}-{name}" for name in CRITERIA_CHIPS}
    api.batch(
        b.company(f"crit-{n}"),
        *(
            b.chip(chips[name], f"crit-{n}", **({"specs": specs} if specs else {}))
            for name, (specs, _) in CRITERIA_CHIPS.items()
        ),
        b.measure(
            f"crit-{n}",
            "2024-01-01",
            destinations=["AF"],
            chips=[chips["named"]],
            criteria=OCTOBER_2023,
        ),
    )
    return {**chips, "measure": f"crit-{n}"}


@pytest.mark.parametrize("case", list(CRITERIA_CHIPS))
def test_criteria_cover_chips_by_their_specs(
    api: Api, criteria_world: dict[str, str], case: str
) -> None:
    export = api.ok(f"/v1/chips/{criteria_world[case]}", as_of="2025-01-01")["export"]
    expected = CRITERIA_CHIPS[case][1]
    found = export["AF"]["matched_by"] if "AF" in export else None
    assert found == (None if expected is None else {criteria_world["measure"]: expected})


def test_a_measure_covering_by_criteria_sets_the_status(
    api: Api, criteria_world: dict[str, str]
) -> None:
    af = api.ok(f"/v1/chips/{criteria_world['dense']}", as_of="2025-01-01")["export"]["AF"]
    assert (af["status"], af["measures"]) == ("license_required", [criteria_world["measure"]])


def test_a_correction_of_a_chips_specs_changes_coverage_as_known_at_k(api: Api) -> None:
    n = next(serial)
    chip = f"respec-{n}"
    registered = api.batch(
        b.company(chip),
        b.chip(chip, chip, specs={"tpp": 2000}),
        b.measure(chip, "2025-01-01", destinations=["AL"], chips=[], criteria=[{"tpp_min": 4800}]),
    )[1]
    data = {"chip": chip, "name": "RESPEC", "manufacturer": chip, "specs": {"tpp": 5000}}
    api.batch(reported(b.correction(registered["id"], data=data), "2025-09-01"))
    covered = [
        ("AL" in api.ok(f"/v1/chips/{chip}", as_of="2025-10-01", known_at=k)["export"])
        for k in ("2025-08-31", "2025-09-01")
    ]
    assert covered == [False, True]


# -- end users -------------------------------------------------------------------------------


@pytest.fixture
def end_user_scene(api: Api) -> Scene:
    """A US ban on shipping the scene's chip to the scene's company in CN (an entity listing),
    and a measure naming only the company."""
    s = Scene(api).register()
    api.batch(
        s.measure("entity", control="ban", companies=[s.company]),
        b.measure(s.id("only"), "2025-04-09", chips=[], companies=[s.company], destinations=["RU"]),
    )
    return s


def test_an_end_user_measure_shows_in_the_chips_end_user_restrictions(
    end_user_scene: Scene,
) -> None:
    s = end_user_scene
    assert s.state()["end_user_restrictions"] == [
        {
            "measure_id": s.id("entity"),
            "companies": [s.company],
            "destinations": ["CN"],
            "control": "ban",
        }
    ]


def test_an_end_user_measure_changes_no_export_status(end_user_scene: Scene) -> None:
    assert end_user_scene.state()["export"] == {}


def test_an_end_user_measure_shows_in_the_companys_export_restrictions(
    end_user_scene: Scene,
) -> None:
    s = end_user_scene
    assert s.company_state()["export_restrictions"] == [
        {
            "measure_id": s.id("entity"),
            "authority": "BIS",
            "jurisdiction": "US",
            "destinations": ["CN"],
            "control": "ban",
            "chips": [s.chip],
            "via": None,  # named, not reached as an affiliate (docs/state.md)
        },
        {
            "measure_id": s.id("only"),
            "authority": "BIS",
            "jurisdiction": "US",
            "destinations": ["RU"],
            "control": "license_required",
            "chips": [],
            "via": None,
        },
    ]


def test_an_end_user_measure_is_not_in_force_before_it_takes_effect(end_user_scene: Scene) -> None:
    body = end_user_scene.company_state(as_of="2025-04-08")
    assert body["export_restrictions"] == []


# -- export status per jurisdiction ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "status", "by_jurisdiction", "licences"),
    [
        (
            ["us-required", "eu-required", "us-licence"],
            "license_required",
            {"US": "licensed", "EU": "license_required"},
            ["us"],
        ),
        (["us-ban", "eu-required"], "banned", {"US": "banned", "EU": "license_required"}, []),
        (["us-ban", "us-licence"], "licensed", {"US": "licensed"}, ["us"]),
        (["us-required", "eu-licence"], "license_required", {"US": "license_required"}, []),
        (["us-required", "us-licence-ru"], "license_required", {"US": "license_required"}, []),
        (
            ["us-required", "eu-required", "us-licence", "eu-licence"],
            "licensed",
            {"US": "licensed", "EU": "licensed"},
            ["eu", "us"],
        ),
    ],
    ids=[
        "us-licence-does-not-lift-eu",
        "ban-is-most-restrictive",
        "licence-beats-own-ban",
        "eu-licence-does-not-lift-us",
        "licence-for-another-destination",
        "licensed-everywhere",
    ],
)
def test_export_status_per_jurisdiction(
    api: Api, rules: list[str], status: str, by_jurisdiction: dict[str, str], licences: list[str]
) -> None:
    s = Scene(api).register()
    bodies = {
        "us-required": s.measure("us"),
        "us-ban": s.measure("us", control="ban"),
        "eu-required": s.measure("eu", **EU),
        "us-licence": s.licence("us"),
        "eu-licence": s.licence("eu", **EU),
        "us-licence-ru": s.licence("us", destinations=["RU"]),
    }
    api.batch(*(bodies[r] for r in rules))
    cn = s.state(as_of="2025-09-01")["export"]["CN"]
    assert (cn["status"], cn["by_jurisdiction"], cn["licenses"]) == (
        status,
        by_jurisdiction,
        [s.id(x) for x in licences],
    )


def test_measures_of_every_jurisdiction_are_listed_sorted(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure("us"), s.measure("eu", **EU))
    assert s.state()["export"]["CN"]["measures"] == [s.id("eu"), s.id("us")]


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2025-04-08", None),
        ("2025-04-09", "license_required"),
        ("2025-04-30", "license_required"),
        ("2025-05-01", "banned"),
        ("2025-06-01", None),
    ],
)
def test_a_measures_life_sets_the_status(api: Api, as_of: str, status: str | None) -> None:
    s = Scene(api).register()
    api.batch(
        s.measure(),
        b.amendment(s.id("m"), "2025-05-01", control="ban"),
        b.lift(s.id("m"), "2025-06-01"),
    )
    assert s.cn(as_of=as_of) == status
