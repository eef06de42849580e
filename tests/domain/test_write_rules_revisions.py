"""Write rules of revisions (docs/events.md, "Write rules"): what a correction or a retraction may target and
change — identity fields never, payloads as strictly as the original — and the version it takes.
"""

from __future__ import annotations

import uuid

import pytest

from tests.domain.write_api import Body, with_
from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem

# -- revisions ---------------------------------------------------------------------------


def test_a_revision_of_an_unknown_event_is_refused(
    registered: Api, subtests: pytest.Subtests
) -> None:
    unknown = str(uuid.uuid4())
    for body in (b.correction(unknown, effective_at="2025-04-10"), b.retraction(unknown)):
        with subtests.test(body["type"]):
            assert_problem(registered.post(body), 422, "invalid-event", pointer="/data/event_id")


def test_a_revision_of_a_malformed_event_id_is_refused(registered: Api) -> None:
    assert_problem(
        registered.post(b.retraction("not-a-uuid")),
        422,
        "validation-error",
        pointer="/data/event_id",
    )


def test_a_correction_of_a_correction_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [fix] = registered.given(b.correction(imposed["id"], effective_at="2025-04-10"))
    response = registered.post(b.correction(fix["id"], effective_at="2025-04-11"))
    assert_problem(response, 422, "invalid-event", pointer="/data/event_id")


def test_a_retraction_of_a_retraction_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [withdrawn] = registered.given(b.retraction(imposed["id"]))
    response = registered.post(b.retraction(withdrawn["id"]))
    assert_problem(response, 422, "invalid-event", pointer="/data/event_id")


def test_a_registry_event_cannot_be_retracted(api: Api) -> None:
    [nvidia] = api.given(b.company("nvidia"))
    assert_problem(
        api.post(b.retraction(nvidia["id"])), 422, "invalid-event", pointer="/data/event_id"
    )


def test_a_registry_event_can_be_corrected(api: Api) -> None:
    _, h20 = api.given(*b.basics())
    data = {**h20["data"], "specs": {"tpp": 2368, "hbm_gb": "96.0"}}
    [fix] = api.given(b.correction(h20["id"], data=data))
    assert fix["data"]["changes"]["data"]["specs"] == {"tpp": "2368", "hbm_gb": "96"}


def test_a_correction_may_not_make_a_chip_succeed_itself(registered: Api) -> None:
    [b30a] = registered.given(b.chip("b30a", successor_of="h20"))
    response = registered.post(
        b.correction(b30a["id"], data={**b30a["data"], "successor_of": "b30a"})
    )
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/successor_of")


IDENTITIES: dict[str, tuple[Body, str, str]] = {
    "measure_id": (b.measure(), "measure_id", "bis-other"),
    "license_id": (b.license_granted(), "license_id", "other-license"),
    "application_id": (b.license_denied(), "application_id", "app-2"),
    "agreement_id": (b.revenue_share(), "agreement_id", "other-deal"),
    "advisory_id": (b.advisory(), "advisory_id", "other-advice"),
    "case_id": (b.investigation(), "case_id", "other-case"),
    "chip": (b.chip("b30a"), "chip", "b40"),
    "company": (b.company("foxconn"), "company", "hon-hai"),
    "halt's company": (b.halt(), "company", "amkor"),
}


def test_an_identity_field_cannot_be_corrected(registered: Api, subtests: pytest.Subtests) -> None:
    targets = registered.given(*[created for created, _, _ in IDENTITIES.values()])
    for (name, (_, field, value)), target in zip(IDENTITIES.items(), targets, strict=True):
        with subtests.test(name):
            response = registered.post(
                b.correction(target["id"], data={**target["data"], field: value})
            )
            assert_problem(response, 422, "invalid-event", pointer=f"/data/changes/data/{field}")


def test_a_resumes_company_cannot_be_corrected(registered: Api) -> None:
    registered.given(b.halt("amkor"), b.halt("nvidia"))
    [resumed] = registered.given(b.resume("nvidia"))
    response = registered.post(
        b.correction(resumed["id"], data={**resumed["data"], "company": "amkor"})
    )
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/company")


def test_a_corrected_payload_is_validated_as_its_type(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {**imposed["data"], "destinations": ["CN", "UK"]}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/destinations/1")


def test_a_corrected_payload_must_be_complete(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {k: v for k, v in imposed["data"].items() if k != "authority"}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/authority")


def test_a_corrected_payload_is_as_strict_as_the_original(registered: Api) -> None:
    [chip] = registered.given(b.chip("b30a"))
    original = registered.post(b.chip("b40", name=1.5))
    assert_problem(original, 422, "validation-error", pointer="/data/name")
    response = registered.post(b.correction(chip["id"], data={**chip["data"], "name": 1.5}))
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/name")


def test_a_corrected_payload_may_only_name_registered_ids(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    data = {**imposed["data"], "chips": ["h20", "ghost"]}
    response = registered.post(b.correction(imposed["id"], data=data))
    assert_problem(response, 422, "invalid-event", pointer="/data/changes/data/chips/1")


def test_a_correction_without_changes_is_refused(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    assert_problem(
        registered.post(b.correction(imposed["id"])),
        422,
        "validation-error",
        pointer="/data/changes",
    )


def test_a_correction_cannot_remove_a_clock(registered: Api, subtests: pytest.Subtests) -> None:
    [imposed] = registered.given(b.measure())
    for clock_field in ("effective_at", "reported_at"):
        with subtests.test(clock_field):
            response = registered.post(b.correction(imposed["id"], **{clock_field: None}))
            assert_problem(response, 422, "invalid-event", pointer=f"/data/changes/{clock_field}")


def test_a_revision_has_no_effective_at_of_its_own(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    body = with_(b.retraction(imposed["id"]), effective_at="2025-05-01")
    assert_problem(registered.post(body), 422, "invalid-event", pointer="/effective_at")


def test_a_correction_reinstates_a_retracted_event(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    registered.given(
        b.retraction(imposed["id"]),
        b.correction(imposed["id"], effective_at="2025-04-10"),
        b.amendment(),
    )  # the measure lives again


def test_a_revision_takes_the_next_version_of_its_targets_aggregate(registered: Api) -> None:
    imposed, amended = registered.given(b.measure(), b.amendment())
    fix, withdrawn = registered.given(
        b.correction(imposed["id"], effective_at="2025-04-10"), b.retraction(amended["id"])
    )
    assert (imposed["version"], amended["version"]) == (1, 2)
    assert (fix["version"], withdrawn["version"]) == (3, 4)
