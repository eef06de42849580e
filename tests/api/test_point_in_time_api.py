"""Point-in-time reads over HTTP (SPEC §4, §5): coordinates, caching, reproducibility,
read-your-writes, spans, timelines, diffs, lists, objects, coverage and anomalies.

Two module-scoped services per backend keep PostgreSQL database creation out of each test:
- `api`: tests write scenarios of their own (a `Scene`: its own company, chip and ids, and,
  where a measure could reach other tests' chips, its own destination), so they do not meet;
- `catalog`: one fixed world, written once and only read — the lists and the objects.
The fake clock stands at 2026-01-15T12:00:00Z ("now") and is never moved here.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import format_instant, utc_now
from services import migrate
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.settings import Settings
from tests.support import builders as b
from tests.support import postgres
from tests.support.clock import FakeClock

PROBLEM = "application/problem+json"
IMMUTABLE = "public, max-age=31536000, immutable"
LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')
MAX_AGE = re.compile(r"max-age=(\d+)")
_serial = itertools.count()


# -- services --------------------------------------------------------------------------------

@dataclass
class Api:
    client: TestClient
    container: Container
    clock: FakeClock
    headers: dict[str, str]

    @property
    def now(self) -> str:
        return format_instant(self.clock.now)

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/v1/events", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        stored: dict[str, Any] = response.json()
        return stored

    def batch(self, *bodies: dict[str, Any], project: bool = True) -> list[dict[str, Any]]:
        response = self.client.post("/v1/events/batch", json={"events": list(bodies)},
                                    headers=self.headers)
        assert response.status_code == 201, response.text
        if project:
            self.container.catch_up()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def get(self, path: str, headers: dict[str, str] | None = None, /, **params: Any) -> Response:
        response: Response = self.client.get(path, params=_query(params), headers=headers)
        return response

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def head(self) -> int:
        return self.container.log.head()


def _query(params: dict[str, Any]) -> dict[str, str]:
    """`from_` stands for `from` (a Python keyword); None drops a parameter."""
    return {k.rstrip("_"): str(v) for k, v in params.items() if v is not None}


def _open(kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    database = None
    if kind == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp_path}/regtimeline.db", data_dir=tmp_path)
        migrate.upgrade(settings)
    elif farm is None:
        pytest.skip("PostgreSQL not available")
    else:
        database = farm.create()
        settings = Settings(database_url=farm.service_url(database),
                            migration_database_url=farm.owner_url(database), data_dir=tmp_path)
    clock = FakeClock()
    container = bootstrap(settings, clock=clock)
    token = container.keys.create("write", "test-write", utc_now())[1]
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield Api(client, container, clock, {"Authorization": f"Bearer {token}"})
    finally:
        container.close()
        if farm is not None and database is not None:
            farm.drop(database)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        pg_farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    yield from _open(request.param, tmp_path_factory.mktemp("pit"), pg_farm)


def reported(body: dict[str, Any], at: str) -> dict[str, Any]:
    return {**body, "reported_at": at}


def assert_problem(response: Response, status: int, kind: str,
                   parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{kind}" and problem["status"] == status, problem
    if parameter is not None:
        assert parameter in [e.get("parameter") for e in problem["errors"]], problem["errors"]
    return problem


def max_age(response: Response) -> int:
    found = MAX_AGE.search(response.headers["cache-control"])
    assert found is not None, response.headers["cache-control"]
    return int(found[1])


class Scene:
    """A test's own corner of the shared log: a company `co-N` making a chip `ch-N`."""

    def __init__(self, api: Api):
        self.api = api
        self.n = next(_serial)
        self.company, self.chip = f"co-{self.n}", f"ch-{self.n}"

    def id(self, name: str) -> str:
        return f"{name}-{self.n}"

    def register(self, **specs: Any) -> Scene:
        chip_data = {"specs": specs} if specs else {}
        self.api.batch(b.company(self.company), b.chip(self.chip, self.company, **chip_data))
        return self

    # builders bound to this scene's ids
    def measure(self, name: str = "m", effective_at: str = "2025-04-09",
                **data: Any) -> dict[str, Any]:
        return b.measure(self.id(name), effective_at, **{"chips": [self.chip], **data})

    def licence(self, name: str = "lic", effective_at: str = "2025-08-11",
                **data: Any) -> dict[str, Any]:
        return b.license_granted(self.id(name), effective_at,
                                 **{"licensee": self.company, "chips": [self.chip], **data})

    def state(self, **params: Any) -> dict[str, Any]:
        return self.api.ok(f"/v1/chips/{self.chip}", **params)

    def company_state(self, **params: Any) -> dict[str, Any]:
        return self.api.ok(f"/v1/companies/{self.company}", **params)

    def cn(self, **params: Any) -> str | None:
        """export.CN.status, or None when CN is unrestricted."""
        export = self.state(**params)["export"]
        return export["CN"]["status"] if "CN" in export else None


@pytest.fixture
def scene(api: Api) -> Scene:
    return Scene(api).register()


@pytest.fixture
def licensed_scene(api: Api) -> Scene:
    """CN needs a US licence from 2025-04-09; the licence is granted on 2025-08-11."""
    s = Scene(api).register()
    api.batch(s.measure(), s.licence())
    return s


# -- coordinates -----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "given", "echoed"), [
    ("as_of", "2025-08-11T20:00:00+02:00", "2025-08-11T18:00:00Z"),
    ("as_of", "2025-08-11T18:00:00.5Z", "2025-08-11T18:00:00.500000Z"),
    ("as_of", "2025-08-11t18:00:00z", "2025-08-11T18:00:00Z"),
    ("as_of", "2025-08-11", "2025-08-11T23:59:59.999999Z"),
    ("known_at", "2025-08-11T18:00:00.000000-00:30", "2025-08-11T18:30:00Z"),
    ("known_at", "2025-08-11", "2025-08-11T23:59:59.999999Z"),
], ids=["offset", "fraction", "lower-case", "as-of-day", "known-offset", "known-day"])
def test_coordinates_are_echoed_in_canonical_form(scene: Scene, name: str, given: str,
                                                  echoed: str) -> None:
    assert scene.state(**{name: given})[name] == echoed


def test_defaults_are_now_now_and_the_checkpoint(scene: Scene) -> None:
    body = scene.state()
    assert (body["as_of"], body["known_at"], body["position"]) == (
        scene.api.now, scene.api.now, scene.api.head())


def test_an_explicit_position_is_echoed(scene: Scene) -> None:
    head = scene.api.head()
    assert scene.state(at_position=head)["position"] == head


@pytest.mark.parametrize(("as_of", "status"), [
    ("2025-08-10", "license_required"), ("2025-08-11", "licensed"),
], ids=["day-before", "same-day"])
def test_a_bare_date_as_of_includes_that_whole_day(api: Api, as_of: str, status: str) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), s.licence(effective_at="2025-08-11T18:00:00Z"))
    assert s.cn(as_of=as_of) == status


@pytest.mark.parametrize(("known_at", "status"), [
    ("2025-08-10", "license_required"), ("2025-08-11", "licensed"),
], ids=["day-before", "same-day"])
def test_a_bare_date_known_at_includes_what_was_reported_that_day(
        api: Api, known_at: str, status: str) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(effective_at="2025-08-01"), "2025-08-11T18:00:00Z"))
    assert s.cn(as_of="2025-09-01", known_at=known_at) == status


def test_a_known_at_in_the_future_is_read_as_now_and_echoed_resolved(scene: Scene) -> None:
    assert scene.state(known_at="2030-01-01")["known_at"] == scene.api.now


def test_an_embargoed_event_stays_invisible_even_with_a_future_known_at(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(), "2027-01-01"))
    assert s.cn(as_of="2025-09-01", known_at="2030-01-01") == "license_required"


@pytest.mark.parametrize("path", [
    "/v1/chips/{chip}", "/v1/companies/{company}", "/v1/chips/{chip}/timeline",
    "/v1/chips/{chip}/history", "/v1/companies/{company}/history",
], ids=["chip", "company", "timeline", "history", "company-history"])
def test_an_at_position_beyond_the_head_is_refused(scene: Scene, path: str) -> None:
    url = path.format(chip=scene.chip, company=scene.company)
    response = scene.api.get(url, at_position=scene.api.head() + 1000)
    assert_problem(response, 422, "validation-error", "at_position")


def test_an_at_position_beyond_the_head_is_refused_for_an_object(licensed_scene: Scene) -> None:
    s = licensed_scene
    response = s.api.get(f"/v1/measures/{s.id('m')}", at_position=s.api.head() + 1)
    assert_problem(response, 422, "validation-error", "at_position")


@pytest.mark.parametrize(("name", "value"), [
    ("as_of", "yesterday"), ("as_of", "2025-08-11T18:00:00"), ("as_of", "2025-02-30"),
    ("as_of", "1754935200"), ("known_at", "2025-13-01"), ("known_at", "2025-08-11 18:00Z"),
    ("at_position", "-1"), ("at_position", "abc"), ("at_position", "1.5"),
    ("min_position", "-1"),
], ids=["word", "naive", "no-such-day", "number", "no-such-month", "space", "negative",
        "letters", "fraction", "negative-min"])
def test_an_invalid_coordinate_is_refused_naming_it(scene: Scene, name: str, value: str) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}", **{name: value})
    assert_problem(response, 422, "validation-error", name)


@pytest.mark.parametrize("path", [
    "/v1/companies/{company}", "/v1/chips/{chip}/timeline", "/v1/companies/{company}/history",
    "/v1/chips/{chip}/diff?from=2025-01-01&to=2025-02-01", "/v1/measures/{measure}",
], ids=["company", "timeline", "history", "diff", "object"])
@pytest.mark.parametrize("name", ["known_at", "at_position"])
def test_every_read_names_an_invalid_coordinate(licensed_scene: Scene, path: str,
                                                name: str) -> None:
    s = licensed_scene
    url = path.format(chip=s.chip, company=s.company, measure=s.id("m"))
    separator = "&" if "?" in url else "?"
    response = s.api.client.get(f"{url}{separator}{name}=never")
    assert_problem(response, 422, "validation-error", name)


@pytest.mark.parametrize(("path", "name"), [
    ("/v1/chips/{chip}?asof=2025-05-01", "asof"),
    ("/v1/companies/{company}?knownat=2025-05-01", "knownat"),
    ("/v1/chips/{chip}/history?as_of=2025-05-01", "as_of"),
    ("/v1/chips/{chip}/timeline?as_of=2025-05-01", "as_of"),
    ("/v1/chips/{chip}/diff?from=2025-05-01&to=2025-08-15&axes=known", "axes"),
    ("/v1/measures/{measure}?position=3", "position"),
], ids=["misspelt-as-of", "misspelt-known-at", "history-has-no-as-of", "timeline-has-no-as-of",
        "diff-axes", "object-position"])
def test_a_read_refuses_an_unknown_parameter(licensed_scene: Scene, path: str, name: str) -> None:
    """A misspelt coordinate must not quietly answer at its default (as the lists refuse)."""
    s = licensed_scene
    url = path.format(chip=s.chip, company=s.company, measure=s.id("m"))
    assert_problem(s.api.client.get(url), 422, "validation-error", name)


@pytest.mark.parametrize(("kind", "plural"), [("chip", "chips"), ("company", "companies")])
def test_an_unknown_subject_is_a_not_found_problem(api: Api, kind: str, plural: str) -> None:
    assert_problem(api.get(f"/v1/{plural}/never-registered-{kind}"), 404, "not-found")


@pytest.mark.parametrize("suffix", ["", "/timeline", "/history"])
def test_a_chip_registered_after_p_is_not_found_at_p(api: Api, suffix: str) -> None:
    before = api.head()
    s = Scene(api).register()
    assert_problem(api.get(f"/v1/chips/{s.chip}{suffix}", at_position=before), 404, "not-found")


@pytest.mark.parametrize(("path", "parameter"), [
    ("/v1/chips/H20", "chip"), ("/v1/chips/-h20", "chip"), ("/v1/chips/h20%20x", "chip"),
    ("/v1/companies/Nvidia", "company"), ("/v1/chips/H20/history", "chip"),
    ("/v1/measures/BIS", "measure_id"), ("/v1/licenses/_x", "license_id"),
])
def test_a_bad_slug_is_refused(api: Api, path: str, parameter: str) -> None:
    assert_problem(api.get(path), 422, "validation-error", parameter)


# -- caching ---------------------------------------------------------------------------------

def test_t_k_and_p_all_explicit_is_cached_forever(scene: Scene) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}", as_of="2025-08-15",
                             known_at="2025-09-01", at_position=scene.api.head())
    assert response.headers["cache-control"] == IMMUTABLE


@pytest.mark.parametrize("missing", ["as_of", "known_at", "at_position"])
def test_an_answer_with_a_default_coordinate_is_cached_at_most_a_minute(
        scene: Scene, missing: str) -> None:
    params = {"as_of": "2025-08-15", "known_at": "2025-09-01", "at_position": scene.api.head()}
    response = scene.api.get(f"/v1/chips/{scene.chip}", **{**params, missing: None})
    assert response.status_code == 200
    assert "immutable" not in response.headers["cache-control"]
    assert max_age(response) <= 60


def test_a_future_known_at_is_not_cached_forever(scene: Scene) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}", as_of="2025-08-15",
                             known_at="2030-01-01", at_position=scene.api.head())
    assert "immutable" not in response.headers["cache-control"]
    assert max_age(response) <= 60


def test_the_etag_is_weak(scene: Scene) -> None:
    assert scene.api.get(f"/v1/chips/{scene.chip}").headers["etag"].startswith('W/"')


def test_if_none_match_with_the_etag_is_a_304_without_a_body(scene: Scene) -> None:
    url = f"/v1/chips/{scene.chip}"
    tag = scene.api.get(url, as_of="2025-08-15").headers["etag"]
    again = scene.api.get(url, {"If-None-Match": tag}, as_of="2025-08-15")
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)


def test_if_none_match_with_another_states_etag_is_a_200(licensed_scene: Scene) -> None:
    url = f"/v1/chips/{licensed_scene.chip}"
    tag = licensed_scene.api.get(url, as_of="2025-05-01").headers["etag"]
    again = licensed_scene.api.get(url, {"If-None-Match": tag}, as_of="2025-08-15")
    assert again.status_code == 200 and again.headers["etag"] != tag


def test_the_etag_ignores_the_position(scene: Scene) -> None:
    api, url = scene.api, f"/v1/chips/{scene.chip}"
    first = api.head()
    api.batch(b.company(scene.id("bystander")))  # concerns nothing of this chip
    fixed = {"as_of": "2025-08-15", "known_at": "2025-09-01"}
    at_first = api.get(url, at_position=first, **fixed)
    at_second = api.get(url, at_position=api.head(), **fixed)
    assert at_first.json()["position"] != at_second.json()["position"]
    assert at_first.headers["etag"] == at_second.headers["etag"]


# -- reproducibility -------------------------------------------------------------------------

def test_the_same_t_k_p_gives_the_same_bytes_after_more_is_appended(api: Api) -> None:
    s = Scene(api).register()
    first = api.batch(s.measure())
    url = f"/v1/chips/{s.chip}"
    fixed = {"as_of": "2025-08-15", "known_at": "2025-09-01", "at_position": api.head()}
    before = api.get(url, **fixed).content
    api.batch(reported(s.licence(), "2025-08-11"),
              reported(b.correction(first[0]["id"], data={**s.measure()["data"], "control": "ban"}),
                       "2025-08-20"),
              b.envelope("AdvisoryIssued", {**b.advisory(s.id("adv"))["data"], "chips": [s.chip]},
                         "2025-08-12"))
    assert api.get(url, **fixed).content == before
    assert s.cn(as_of="2025-08-15", known_at="2025-09-01") == "licensed"  # not so at the head


def test_an_answer_at_p_does_not_include_a_later_event(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure())
    before = api.head()
    api.batch(s.licence())
    assert (s.cn(as_of="2025-08-15", at_position=before), s.cn(as_of="2025-08-15")) == (
        "license_required", "licensed")


# -- read-your-writes ------------------------------------------------------------------------

def test_min_position_waits_for_the_projection(licensed_scene: Scene,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    s, api = licensed_scene, licensed_scene.api
    stored = api.post(b.license_revoked(s.id("lic"), "2025-09-01"))  # not projected yet
    nudges: list[int] = []

    def project_when_nudged(head: int = 0) -> None:  # the projector thread, driven inline
        nudges.append(head)
        api.container.catch_up()

    monkeypatch.setattr(api.container.runner, "nudge", project_when_nudged)
    body = s.state(as_of="2025-10-01", min_position=stored["position"])
    assert body["export"]["CN"]["status"] == "license_required"
    assert body["position"] >= stored["position"]
    assert nudges, "the read answered without waiting for the projection"


def test_a_diff_waits_for_min_position(licensed_scene: Scene,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    s, api = licensed_scene, licensed_scene.api
    stored = api.post(b.license_revoked(s.id("lic"), "2025-09-01"))  # not projected yet
    monkeypatch.setattr(api.container.runner, "nudge", lambda head=0: api.container.catch_up())
    body = diff(s, from_="2025-08-15", to="2025-10-01", min_position=stored["position"])
    assert {"path": "/export/CN/status", "from": "licensed", "to": "license_required"} \
        in body["changes"]


def test_an_unreachable_min_position_is_a_503_with_retry_after(
        scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    container = scene.api.container
    monkeypatch.setattr(container, "settings",
                        container.settings.model_copy(update={"min_position_wait_seconds": 0.2}))
    started = time.monotonic()
    response = scene.api.get(f"/v1/chips/{scene.chip}", min_position=10**9)
    assert time.monotonic() - started < 2
    assert_problem(response, 503, "not-ready", "min_position")
    assert int(response.headers["retry-after"]) >= 1


# -- history spans ---------------------------------------------------------------------------

@pytest.fixture
def expiring_scene(api: Api) -> Scene:
    """A requirement from 04-09 (corrected to 04-10), a licence 05-01 through 06-30, a
    same-value amendment on 05-15 and a denial on 06-01 (neither changes the chip's state)."""
    s = Scene(api).register()
    api.batch(s.measure(), s.licence(effective_at="2025-05-01", expires_at="2025-06-30"),
              b.amendment(s.id("m"), "2025-05-15", control="license_required"),
              b.envelope("LicenseDenied", {**b.license_denied(s.id("app"))["data"],
                                           "licensee": s.company, "chips": [s.chip]}, "2025-06-01"))
    return s


def spans(api: Api, chip: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.ok(f"/v1/chips/{chip}/history", **params)["spans"]
    return found


def test_history_splits_at_every_change_including_a_licence_expiry(expiring_scene: Scene) -> None:
    found = spans(expiring_scene.api, expiring_scene.chip)
    assert [(s["from"], s["to"], s["state"]["export"].get("CN", {}).get("status"))
            for s in found] == [
        (None, "2025-04-09T00:00:00Z", None),
        ("2025-04-09T00:00:00Z", "2025-05-01T00:00:00Z", "license_required"),
        ("2025-05-01T00:00:00Z", "2025-07-01T00:00:00Z", "licensed"),  # expires 06-30 incl.
        ("2025-07-01T00:00:00Z", None, "license_required"),
    ]


def test_history_merges_adjacent_equal_states(expiring_scene: Scene) -> None:
    boundaries = {s["from"] for s in spans(expiring_scene.api, expiring_scene.chip)}
    assert not boundaries & {"2025-05-15T00:00:00Z", "2025-06-01T00:00:00Z"}


def test_history_spans_are_contiguous(expiring_scene: Scene) -> None:
    found = spans(expiring_scene.api, expiring_scene.chip)
    assert all(a["to"] == b_["from"] for a, b_ in itertools.pairwise(found))


def test_history_spans_hold_no_coordinates_or_upcoming(expiring_scene: Scene) -> None:
    state = spans(expiring_scene.api, expiring_scene.chip)[1]["state"]
    assert not {"as_of", "known_at", "position", "upcoming"} & set(state)


def test_history_is_as_known_at_k(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(effective_at="2025-05-01"), "2025-06-01"))
    assert len(spans(api, s.chip, known_at="2025-05-31")) == 2
    assert len(spans(api, s.chip, known_at="2025-06-01")) == 3


def test_company_history_splits_at_its_changes(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(effective_at="2025-05-01", expires_at="2025-06-30"))
    found = api.ok(f"/v1/companies/{s.company}/history")["spans"]
    assert [(x["from"], x["to"], len(x["state"]["licenses"])) for x in found] == [
        (None, "2025-05-01T00:00:00Z", 0),
        ("2025-05-01T00:00:00Z", "2025-07-01T00:00:00Z", 1),
        ("2025-07-01T00:00:00Z", None, 0),
    ]


# -- timeline ---------------------------------------------------------------------------------

@pytest.fixture
def corrected_scene(api: Api) -> tuple[Scene, dict[str, str]]:
    """A requirement effective 04-09, corrected to 04-10 in a report of 04-20; an advisory
    of 05-01 retracted in a report of 05-10; another chip's measure."""
    s = Scene(api).register()
    other = Scene(api).register()
    imposed, advised, foreign = api.batch(
        s.measure(), b.envelope("AdvisoryIssued", {**b.advisory(s.id("adv"))["data"],
                                                   "chips": [s.chip]}, "2025-05-01"),
        other.measure())
    fixed, retracted = api.batch(
        reported(b.correction(imposed["id"], effective_at="2025-04-10"), "2025-04-20"),
        reported(b.retraction(advised["id"]), "2025-05-10"))
    return s, {"imposed": imposed["id"], "advised": advised["id"], "foreign": foreign["id"],
               "fixed": fixed["id"], "retracted": retracted["id"]}


def timeline(s: Scene, **params: Any) -> dict[str, dict[str, Any]]:
    items = s.api.ok(f"/v1/chips/{s.chip}/timeline", **params)["items"]
    return {e["id"]: e for e in items}


def test_the_timeline_applies_a_correction_known_at_k(
        corrected_scene: tuple[Scene, dict[str, str]]) -> None:
    s, ids = corrected_scene
    imposed = timeline(s, known_at="2025-04-30")[ids["imposed"]]
    assert (imposed["effective_at"], imposed["revised_by"]) == (
        "2025-04-10T00:00:00Z", [ids["fixed"]])


def test_the_timeline_ignores_a_correction_reported_after_k(
        corrected_scene: tuple[Scene, dict[str, str]]) -> None:
    s, ids = corrected_scene
    imposed = timeline(s, known_at="2025-04-19")[ids["imposed"]]
    assert (imposed["effective_at"], imposed["revised_by"]) == ("2025-04-09T00:00:00Z", [])


def test_the_timeline_omits_a_retracted_event(
        corrected_scene: tuple[Scene, dict[str, str]]) -> None:
    s, ids = corrected_scene
    assert ids["advised"] not in timeline(s)
    assert ids["advised"] in timeline(s, known_at="2025-05-09")


def test_the_timeline_lists_only_events_that_concern_the_chip(
        corrected_scene: tuple[Scene, dict[str, str]]) -> None:
    s, ids = corrected_scene
    listed = timeline(s, known_at="2025-05-09")
    assert ids["foreign"] not in listed
    assert {e["type"] for e in listed.values()} == {
        "ChipRegistered", "ExportBanImposed", "AdvisoryIssued"}


def test_the_timeline_lists_revisions_in_revised_by_not_as_items(
        corrected_scene: tuple[Scene, dict[str, str]]) -> None:
    s, ids = corrected_scene
    assert not {ids["fixed"], ids["retracted"]} & set(timeline(s))


def test_the_timeline_is_in_valid_time_order(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(effective_at="2025-08-11"), s.measure(effective_at="2025-04-09"),
              b.amendment(s.id("m"), "2025-05-01", control="ban"))
    items = api.ok(f"/v1/chips/{s.chip}/timeline")["items"]
    assert [e["type"] for e in items if e["effective_at"]] == [
        "ExportBanImposed", "ExportBanAmended", "LicenseGranted"]


def test_the_timeline_echoes_k_and_p(scene: Scene) -> None:
    body = scene.api.ok(f"/v1/chips/{scene.chip}/timeline", known_at="2025-04-30")
    assert (body["known_at"], body["position"], body["chip"]) == (
        "2025-04-30T23:59:59.999999Z", scene.api.head(), scene.chip)


# -- diff -----------------------------------------------------------------------------------

def diff(s: Scene, **params: Any) -> dict[str, Any]:
    return s.api.ok(f"/v1/chips/{s.chip}/diff", **params)


def test_an_effective_diff_lists_what_changed_as_json_pointers(licensed_scene: Scene) -> None:
    changes = diff(licensed_scene, from_="2025-05-01", to="2025-08-15")["changes"]
    assert {"path": "/export/CN/status", "from": "license_required", "to": "licensed"} in changes
    assert {"path": "/export/CN/licenses", "from": [], "to": [licensed_scene.id("lic")]} in changes


def test_an_effective_diff_takes_from_and_to_as_valid_times(licensed_scene: Scene) -> None:
    body = diff(licensed_scene, from_="2025-05-01", to="2025-08-15", known_at="2025-09-01")
    assert (body["axis"], body["from"], body["to"]) == ("effective", {
        "as_of": "2025-05-01T00:00:00Z", "known_at": "2025-09-01T23:59:59.999999Z"}, {
        "as_of": "2025-08-15T23:59:59.999999Z", "known_at": "2025-09-01T23:59:59.999999Z"})


def test_a_diff_between_equal_states_is_empty(licensed_scene: Scene) -> None:
    assert diff(licensed_scene, from_="2025-05-01", to="2025-06-01")["changes"] == []


def test_a_known_diff_compares_two_knowledge_times(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(), "2025-08-20"))
    body = diff(s, from_="2025-08-15", to="2025-08-25", axis="known", as_of="2025-09-01")
    assert {"path": "/export/CN/status", "from": "license_required", "to": "licensed"} \
        in body["changes"]


def test_a_known_diff_takes_from_and_to_as_knowledge_times(licensed_scene: Scene) -> None:
    body = diff(licensed_scene, from_="2025-08-15", to="2025-08-25", axis="known",
                as_of="2025-09-01")
    assert (body["axis"], body["from"], body["to"]) == ("known", {
        "as_of": "2025-09-01T23:59:59.999999Z", "known_at": "2025-08-15T00:00:00Z"}, {
        "as_of": "2025-09-01T23:59:59.999999Z", "known_at": "2025-08-25T23:59:59.999999Z"})


def test_a_known_diff_holds_valid_time_still(licensed_scene: Scene) -> None:
    # at T = 05-01 the status is the same whatever was known later; only the licence,
    # reported on 08-11, has become an upcoming change
    s = licensed_scene
    body = diff(s, from_="2025-05-01", to="2025-09-01", axis="known", as_of="2025-05-01")
    assert body["changes"] == [{"path": "/upcoming", "from": [], "to": [
        {"effective_at": "2025-08-11T00:00:00Z", "kind": "LicenseGranted", "id": s.id("lic")}]}]


@pytest.mark.parametrize(("params", "parameter"), [
    ({"to": "2025-08-15"}, "from"),
    ({"from_": "2025-05-01"}, "to"),
    ({}, "from"),
    ({"from_": "2025-05-01", "to": "2025-08-15", "axis": "valid"}, "axis"),
    ({"from_": "May", "to": "2025-08-15"}, "from"),
    ({"from_": "2025-05-01", "to": "2025-08-15T00:00:00"}, "to"),
    ({"from_": "2025-05-01", "to": "2025-08-15", "as_of": "2025-06-01"}, "as_of"),
    ({"from_": "2025-05-01", "to": "2025-08-15", "axis": "known", "known_at": "2025-06-01"},
     "known_at"),
], ids=["no-from", "no-to", "neither", "bad-axis", "bad-from", "naive-to",
        "as-of-on-effective", "known-at-on-known"])
def test_a_bad_diff_request_is_refused(scene: Scene, params: dict[str, str],
                                       parameter: str) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}/diff", **params)
    assert_problem(response, 422, "validation-error", parameter)


def test_a_diff_of_an_unknown_chip_is_not_found(api: Api) -> None:
    response = api.get("/v1/chips/never-registered/diff", from_="2025-05-01", to="2025-08-15")
    assert_problem(response, 404, "not-found")


def test_a_company_diff_lists_what_changed(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence())
    changes = api.ok(f"/v1/companies/{s.company}/diff", from_="2025-05-01", to="2025-08-15")
    assert [c["path"] for c in changes["changes"]] == ["/licenses"]


# -- threshold criteria -----------------------------------------------------------------------

OCTOBER_2023 = [{"tpp_min": 4800}, {"tpp_min": 1600, "performance_density_min": 5.92}]
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
    n = next(_serial)
    chips = {name: f"crit-{n}-{name}" for name in CRITERIA_CHIPS}
    api.batch(b.company(f"crit-{n}"),
              *(b.chip(chips[name], f"crit-{n}", **({"specs": specs} if specs else {}))
                for name, (specs, _) in CRITERIA_CHIPS.items()),
              b.measure(f"crit-{n}", "2024-01-01", destinations=["AF"], chips=[chips["named"]],
                        criteria=OCTOBER_2023))
    return {**chips, "measure": f"crit-{n}"}


@pytest.mark.parametrize("case", list(CRITERIA_CHIPS))
def test_criteria_cover_chips_by_their_specs(api: Api, criteria_world: dict[str, str],
                                             case: str) -> None:
    export = api.ok(f"/v1/chips/{criteria_world[case]}", as_of="2025-01-01")["export"]
    expected = CRITERIA_CHIPS[case][1]
    found = export["AF"]["matched_by"] if "AF" in export else None
    assert found == (None if expected is None else {criteria_world["measure"]: expected})


def test_a_measure_covering_by_criteria_sets_the_status(api: Api,
                                                        criteria_world: dict[str, str]) -> None:
    af = api.ok(f"/v1/chips/{criteria_world['dense']}", as_of="2025-01-01")["export"]["AF"]
    assert (af["status"], af["measures"]) == ("license_required", [criteria_world["measure"]])


def test_a_correction_of_a_chips_specs_changes_coverage_as_known_at_k(api: Api) -> None:
    n = next(_serial)
    chip = f"respec-{n}"
    registered = api.batch(b.company(chip), b.chip(chip, chip, specs={"tpp": 2000}),
                           b.measure(chip, "2025-01-01", destinations=["AL"], chips=[],
                                     criteria=[{"tpp_min": 4800}]))[1]
    data = {"chip": chip, "name": "RESPEC", "manufacturer": chip, "specs": {"tpp": 5000}}
    api.batch(reported(b.correction(registered["id"], data=data), "2025-09-01"))
    covered = [("AL" in api.ok(f"/v1/chips/{chip}", as_of="2025-10-01", known_at=k)["export"])
               for k in ("2025-08-31", "2025-09-01")]
    assert covered == [False, True]


# -- end users -------------------------------------------------------------------------------

@pytest.fixture
def end_user_scene(api: Api) -> Scene:
    """A US ban on shipping the scene's chip to the scene's company in CN (an entity listing),
    and a measure naming only the company."""
    s = Scene(api).register()
    api.batch(s.measure("entity", control="ban", companies=[s.company]),
              b.measure(s.id("only"), "2025-04-09", chips=[], companies=[s.company],
                        destinations=["RU"]))
    return s


def test_an_end_user_measure_shows_in_the_chips_end_user_restrictions(
        end_user_scene: Scene) -> None:
    s = end_user_scene
    assert s.state()["end_user_restrictions"] == [
        {"measure_id": s.id("entity"), "companies": [s.company], "destinations": ["CN"],
         "control": "ban"}]


def test_an_end_user_measure_changes_no_export_status(end_user_scene: Scene) -> None:
    assert end_user_scene.state()["export"] == {}


def test_an_end_user_measure_shows_in_the_companys_export_restrictions(
        end_user_scene: Scene) -> None:
    s = end_user_scene
    assert s.company_state()["export_restrictions"] == [
        {"measure_id": s.id("entity"), "authority": "BIS", "jurisdiction": "US",
         "destinations": ["CN"], "control": "ban", "chips": [s.chip]},
        {"measure_id": s.id("only"), "authority": "BIS", "jurisdiction": "US",
         "destinations": ["RU"], "control": "license_required", "chips": []}]


def test_an_end_user_measure_is_not_in_force_before_it_takes_effect(end_user_scene: Scene) -> None:
    body = end_user_scene.company_state(as_of="2025-04-08")
    assert body["export_restrictions"] == []


# -- export status per jurisdiction ----------------------------------------------------------

EU = {"authority": "EC", "jurisdiction": "EU"}


@pytest.mark.parametrize(("rules", "status", "by_jurisdiction", "licences"), [
    (["us-required", "eu-required", "us-licence"], "license_required",
     {"US": "licensed", "EU": "license_required"}, ["us"]),
    (["us-ban", "eu-required"], "banned", {"US": "banned", "EU": "license_required"}, []),
    (["us-ban", "us-licence"], "licensed", {"US": "licensed"}, ["us"]),
    (["us-required", "eu-licence"], "license_required", {"US": "license_required"}, []),
    (["us-required", "us-licence-ru"], "license_required", {"US": "license_required"}, []),
    (["us-required", "eu-required", "us-licence", "eu-licence"], "licensed",
     {"US": "licensed", "EU": "licensed"}, ["eu", "us"]),
], ids=["us-licence-does-not-lift-eu", "ban-is-most-restrictive", "licence-beats-own-ban",
        "eu-licence-does-not-lift-us", "licence-for-another-destination",
        "licensed-everywhere"])
def test_export_status_per_jurisdiction(api: Api, rules: list[str], status: str,
                                        by_jurisdiction: dict[str, str],
                                        licences: list[str]) -> None:
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
        status, by_jurisdiction, [s.id(x) for x in licences])


def test_measures_of_every_jurisdiction_are_listed_sorted(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure("us"), s.measure("eu", **EU))
    assert s.state()["export"]["CN"]["measures"] == [s.id("eu"), s.id("us")]


# -- anomalies -------------------------------------------------------------------------------

@pytest.fixture
def anomalous_scene(api: Api) -> tuple[Scene, str]:
    """A licence granted 08-11 and revoked 10-01; a correction reported 11-01 moves the
    revocation to 07-01, before the grant."""
    s = Scene(api).register()
    revoked = api.batch(s.licence(), b.license_revoked(s.id("lic"), "2025-10-01"))[1]
    api.batch(reported(b.correction(revoked["id"], effective_at="2025-07-01"), "2025-11-01"))
    return s, revoked["id"]


@pytest.mark.parametrize("plural", ["chips", "companies"])
def test_a_lifecycle_event_moved_before_its_creator_is_an_anomaly(
        anomalous_scene: tuple[Scene, str], plural: str) -> None:
    s, revoked = anomalous_scene
    subject = s.chip if plural == "chips" else s.company
    body = s.api.ok(f"/v1/{plural}/{subject}")
    assert body["anomalies"] == [{"event_id": revoked, "reason": "before_creator"}]


@pytest.mark.parametrize("plural", ["chips", "companies"])
def test_the_anomaly_is_listed_from_the_moment_it_is_folded(
        anomalous_scene: tuple[Scene, str], plural: str) -> None:
    s, revoked = anomalous_scene
    licence = s.api.ok(f"/v1/licenses/{s.id('lic')}", as_of="2025-07-15")["anomalies"]
    subject = s.chip if plural == "chips" else s.company
    assert s.api.ok(f"/v1/{plural}/{subject}", as_of="2025-07-15")["anomalies"] == licence == [
        {"event_id": revoked, "reason": "before_creator"}]


def test_a_revocation_moved_before_the_grant_is_a_no_op(
        anomalous_scene: tuple[Scene, str]) -> None:
    s, _ = anomalous_scene
    assert [lic["license_id"] for lic in s.company_state()["licenses"]] == [s.id("lic")]


def test_before_the_correction_was_reported_there_was_no_anomaly(
        anomalous_scene: tuple[Scene, str]) -> None:
    s, _ = anomalous_scene
    body = s.state(known_at="2025-10-31")
    assert (body["anomalies"], body["export"]) == ([], {})


def test_an_amendment_moved_after_the_lift_is_an_anomaly(api: Api) -> None:
    s = Scene(api).register()
    _, amended, _ = api.batch(s.measure(), b.amendment(s.id("m"), "2025-05-01", control="ban"),
                              b.lift(s.id("m"), "2025-06-01"))
    api.batch(b.correction(amended["id"], effective_at="2025-07-01"))
    assert s.state()["anomalies"] == [{"event_id": amended["id"], "reason": "after_terminal"}]


# -- knowledge: revisions in report order -----------------------------------------------------

def test_a_registry_event_is_visible_at_any_known_at(scene: Scene) -> None:
    assert scene.state(known_at="2020-01-01")["chip"] == scene.chip


def test_revisions_apply_in_reported_order_not_log_order(api: Api) -> None:
    s = Scene(api).register()
    imposed = api.batch(s.measure())[0]
    late, early = api.batch(  # logged first but reported later: it wins
        reported(b.correction(imposed["id"], effective_at="2025-04-20"), "2025-06-01"),
        reported(b.correction(imposed["id"], effective_at="2025-04-15"), "2025-05-01"))
    assert [s.cn(as_of=t) for t in ("2025-04-19", "2025-04-20")] == [None, "license_required"]
    events = api.ok(f"/v1/measures/{s.id('m')}")["events"]
    assert events[0]["revised_by"] == [early["id"], late["id"]]


def test_a_correction_reinstates_a_retracted_event(api: Api) -> None:
    s = Scene(api).register()
    imposed = api.batch(s.measure())[0]
    api.batch(reported(b.retraction(imposed["id"]), "2025-05-10"),
              reported(b.correction(imposed["id"], effective_at="2025-04-10"), "2025-05-20"))
    assert [s.cn(known_at=k) for k in ("2025-05-09", "2025-05-15", "2025-05-25")] == [
        "license_required", None, "license_required"]


# -- upcoming, production, investigations -----------------------------------------------------

def upcoming(s: Scene, **params: Any) -> list[tuple[str, str, str]]:
    return [(u["effective_at"], u["kind"], u["id"]) for u in s.state(**params)["upcoming"]]


def test_upcoming_lists_a_licence_expiry(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(expires_at="2025-10-31"))
    assert upcoming(s, as_of="2025-09-01") == [
        ("2025-11-01T00:00:00Z", "LicenseExpired", s.id("lic"))]


def test_upcoming_omits_the_expiry_of_a_licence_revoked_first(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(expires_at="2025-11-30"), b.license_revoked(s.id("lic"), "2025-11-01"))
    assert upcoming(s, as_of="2025-09-01") == [
        ("2025-11-01T00:00:00Z", "LicenseRevoked", s.id("lic"))]


def test_upcoming_lists_changes_of_a_measure_that_will_cover_the_chip(api: Api) -> None:
    s = Scene(api).register()
    bystander = Scene(api).register()
    api.batch(bystander.measure(),
              b.amendment(bystander.id("m"), "2025-09-01", chips=[bystander.chip, s.chip]),
              b.lift(bystander.id("m"), "2025-12-01"))
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-09-01T00:00:00Z", "ExportBanAmended", bystander.id("m")),
        ("2025-12-01T00:00:00Z", "ExportBanLifted", bystander.id("m"))]


def test_upcoming_is_sorted_by_time_then_id_then_kind(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence("b", effective_at="2025-08-11"), s.licence("a", effective_at="2025-08-11"),
              s.measure("c", effective_at="2025-06-01"))
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-06-01T00:00:00Z", "ExportBanImposed", s.id("c")),
        ("2025-08-11T00:00:00Z", "LicenseGranted", s.id("a")),
        ("2025-08-11T00:00:00Z", "LicenseGranted", s.id("b"))]


def test_upcoming_is_empty_after_the_last_change(licensed_scene: Scene) -> None:
    assert upcoming(licensed_scene, as_of="2025-09-01") == []


def test_upcoming_lists_an_amendment_that_drops_the_chip(api: Api) -> None:
    s = Scene(api).register()
    bystander = Scene(api).register()
    api.batch(s.measure(chips=[s.chip, bystander.chip]),
              b.amendment(s.id("m"), "2025-09-01", chips=[bystander.chip]))
    assert upcoming(s, as_of="2025-05-01") == [
        ("2025-09-01T00:00:00Z", "ExportBanAmended", s.id("m"))]


def test_upcoming_holds_at_most_fifty_changes(api: Api) -> None:
    s = Scene(api).register()
    api.batch(*(s.licence(f"l{i:02d}", effective_at="2025-08-11") for i in range(55)))
    assert [u[2] for u in upcoming(s, as_of="2025-05-01")] == [
        s.id(f"l{i:02d}") for i in range(50)]


@pytest.mark.parametrize(("as_of", "status"), [
    ("2025-04-08", None), ("2025-04-09", "license_required"), ("2025-04-30", "license_required"),
    ("2025-05-01", "banned"), ("2025-06-01", None),
])
def test_a_measures_life_sets_the_status(api: Api, as_of: str, status: str | None) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), b.amendment(s.id("m"), "2025-05-01", control="ban"),
              b.lift(s.id("m"), "2025-06-01"))
    assert s.cn(as_of=as_of) == status


def test_a_companys_timeline_lists_what_names_it(api: Api) -> None:
    s = Scene(api).register()
    maker = Scene(api).register()
    api.batch(s.licence(),
              b.halt(maker.company, [maker.chip], "2025-08-22", suppliers=[s.company]),
              maker.licence())
    items = api.ok(f"/v1/companies/{s.company}/timeline")["items"]
    named = ("license_id", "company", "chip")
    assert [(e["type"], next(e["data"][k] for k in named if k in e["data"])) for e in items] == [
        ("LicenseGranted", s.id("lic")), ("ProductionHalted", maker.company),
        ("CompanyRegistered", s.company), ("ChipRegistered", s.chip)]


@pytest.fixture
def halted_scene(api: Api) -> Scene:
    """The maker halts the chip on 08-22; a second company (with the maker as its supplier)
    halts it on 08-20 and resumes on 09-01."""
    s = Scene(api).register()
    other = s.id("packer")
    api.batch(b.company(other),
              b.halt(s.company, [s.chip], "2025-08-22", suppliers=[other]),
              b.halt(other, [s.chip], "2025-08-20", suppliers=[s.company]),
              b.resume(other, [s.chip], "2025-09-01"))
    return s


@pytest.mark.parametrize(("as_of", "production"), [
    ("2025-08-19", {"status": "active", "since": None, "halted_by": [], "suppliers": []}),
    ("2025-08-25", {"status": "halted", "since": "2025-08-20T00:00:00Z",
                    "halted_by": ["co-{n}", "packer-{n}"], "suppliers": ["co-{n}", "packer-{n}"]}),
    ("2025-09-01", {"status": "halted", "since": "2025-08-22T00:00:00Z",
                    "halted_by": ["co-{n}"], "suppliers": ["packer-{n}"]}),
], ids=["before", "both-open", "one-resumed"])
def test_production_is_the_union_of_the_open_halts(halted_scene: Scene, as_of: str,
                                                   production: dict[str, Any]) -> None:
    expected = {k: ([x.format(n=halted_scene.n) for x in v] if isinstance(v, list) else v)
                for k, v in production.items()}
    assert halted_scene.state(as_of=as_of)["production"] == expected


def test_a_resume_left_without_its_halt_is_a_silent_no_op(api: Api) -> None:
    s = Scene(api).register()
    halted, _ = api.batch(b.halt(s.company, [s.chip], "2025-08-22"),
                          b.resume(s.company, [s.chip], "2025-09-01"))
    api.batch(b.retraction(halted["id"]))
    body = s.state()
    assert (body["production"]["status"], body["anomalies"]) == ("active", [])


def test_a_concluded_investigation_stays_listed_with_its_finding(api: Api) -> None:
    s = Scene(api).register()
    api.batch(b.investigation(s.id("case"), "2025-07-31", companies=[s.company], chips=[s.chip]),
              b.investigation_concluded(s.id("case"), "2025-11-01", finding="violation"))
    assert s.state(as_of="2025-11-01")["investigations"] == [
        {"case_id": s.id("case"), "authority": "CAC", "jurisdiction": "CN", "kind": "summons",
         "status": "concluded", "finding": "violation"}]


def test_a_withdrawn_advisory_is_no_longer_listed(api: Api) -> None:
    s = Scene(api).register()
    api.batch(b.advisory(s.id("adv"), "2025-08-12", chips=[s.chip], companies=[s.company]),
              b.advisory_withdrawn(s.id("adv"), "2025-10-01"))
    listed_at = [(len(s.state(as_of=t)["advisories"]), len(s.company_state(as_of=t)["advisories"]))
                 for t in ("2025-09-30", "2025-10-01")]
    assert listed_at == [(1, 1), (0, 0)]


# -- canonical lists ------------------------------------------------------------------------

@pytest.fixture
def unsorted_scene(api: Api) -> Scene:
    """Everything names its lists out of order: destinations RU, CN; companies zz…, aa…;
    chips zz…, ch-N."""
    s = Scene(api).register()
    late, early = s.id("zz"), s.id("aa")
    api.batch(b.company(late), b.company(early), b.chip(late, s.company),
              s.measure("entity", chips=[late, s.chip], destinations=["RU", "CN"],
                        companies=[late, early]),
              s.licence(chips=[late, s.chip], destinations=["RU", "CN"]),
              b.revenue_share(s.id("rs"), company=s.company, chips=[late, s.chip],
                              destinations=["RU", "CN"]))
    return s


@pytest.mark.parametrize("where", [
    "chip:end_user_restrictions/companies", "chip:end_user_restrictions/destinations",
    "chip:revenue_share/destinations", "company:licenses/chips", "company:licenses/destinations",
    "company:revenue_share/chips", "company:revenue_share/destinations",
    "end_user:export_restrictions/chips", "end_user:export_restrictions/destinations",
])
def test_lists_inside_a_state_are_sorted(unsorted_scene: Scene, where: str) -> None:
    s = unsorted_scene
    subject, path = where.split(":")
    body = {"chip": s.state, "company": s.company_state,
            "end_user": lambda: s.api.ok(f"/v1/companies/{s.id('zz')}")}[subject]()
    field, inner = path.split("/")
    values = body[field][0][inner]
    assert len(values) == 2 and values == sorted(values)


def test_an_amendment_that_only_reorders_a_list_changes_no_span(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(destinations=["CN", "RU"], companies=[s.company]),  # an end-user rule
              b.amendment(s.id("m"), "2025-06-01", destinations=["RU", "CN"]))
    assert [x["from"] for x in spans(api, s.chip)] == [None, "2025-04-09T00:00:00Z"]


def test_lists_inside_an_object_are_sorted(unsorted_scene: Scene) -> None:
    s = unsorted_scene
    body = s.api.ok(f"/v1/measures/{s.id('entity')}")
    assert (body["chips"], body["destinations"], body["companies"]) == (
        sorted([s.chip, s.id("zz")]), ["CN", "RU"], sorted([s.id("aa"), s.id("zz")]))


def test_criteria_keep_their_order_in_an_object(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(criteria=list(reversed(OCTOBER_2023)), destinations=["AD"]))
    assert api.ok(f"/v1/measures/{s.id('m')}")["criteria"] == [
        {"performance_density_min": "5.92", "tpp_min": "1600"}, {"tpp_min": "4800"}]


# -- lists (the fixed catalog) ---------------------------------------------------------------

CATALOG: dict[str, dict[str, Any]] = {
    "nvidia": b.company("nvidia"), "huawei": b.company("huawei", country="CN"),
    "amd": b.company("amd"), "samsung": b.company("samsung", country="KR"),
    **{chip: b.chip(chip, maker) for chip, maker in (
        ("a100", "nvidia"), ("ascend", "huawei"), ("b30a", "nvidia"), ("h100", "nvidia"),
        ("h20", "nvidia"), ("l20", "nvidia"), ("mi308", "amd"))},
    "a100-ban": b.measure("us-2022-a100", "2022-09-01", chips=["a100"], control="ban"),
    "a100-lift": b.lift("us-2022-a100", "2024-06-01", reason="superseded"),
    "h100-ban": b.measure("us-2023-h100", "2023-10-17", chips=["h100"], control="ban"),
    "h100-mo": b.amendment("us-2023-h100", "2024-10-01", destinations=["CN", "MO"]),
    "eu-ru": b.measure("eu-2024-ru", "2024-02-01", destinations=["RU"], chips=["h100", "h20"],
                       **EU),
    "h20-req": reported(b.measure("us-2025-h20", "2025-04-09", chips=["h20", "mi308"]),
                        "2025-04-15"),
    "a100-lic": b.license_granted("lic-a100", "2023-01-01", chips=["a100"]),
    "a100-revoke": b.license_revoked("lic-a100", "2023-06-01"),
    "h100-eu-lic": b.license_granted("lic-h100-eu", "2024-03-01", chips=["h100"],
                                     destinations=["RU"], expires_at="2024-12-31", **EU),
    "h20-lic": b.license_granted("lic-h20", "2025-08-11"),
    "denied": b.license_denied("app-h20", "2025-06-01"),
    "rs": b.revenue_share("rs-h20", "2025-08-11"),
    "rs-end": b.revenue_share_ended("rs-h20", "2025-12-01"),
    "adv-old": b.advisory("cn-caution", "2025-01-01", guidance="caution"),
    "adv-old-end": b.advisory_withdrawn("cn-caution", "2025-03-01"),
    "adv": b.advisory("cn-avoid", "2025-08-12"),
    "case": b.investigation("cac-case", "2025-07-31"),
    "case-end": b.investigation_concluded("cac-case", "2025-11-01", finding="cleared"),
}
ALL_CHIPS = ["a100", "ascend", "b30a", "h100", "h20", "l20", "mi308"]


@dataclass
class Catalog:
    api: Api
    ids: dict[str, str]  # CATALOG name → event id


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def catalog(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
            pg_farm: postgres.PostgresFarm | None) -> Iterator[Catalog]:
    for service in _open(request.param, tmp_path_factory.mktemp("catalog"), pg_farm):
        items = service.batch(*CATALOG.values())
        ids = {name: item["id"] for name, item in zip(CATALOG, items, strict=True)}
        yield Catalog(service, ids)


def listed(catalog: Catalog, path: str, key: str, **params: Any) -> list[str]:
    return [item[key] for item in catalog.api.ok(path, **params)["items"]]


@pytest.mark.parametrize(("params", "chips"), [
    ({}, ALL_CHIPS),
    ({"destination": "CN", "status": "banned", "as_of": "2022-08-01"}, []),
    ({"destination": "CN", "status": "banned", "as_of": "2024-01-01"}, ["a100", "h100"]),
    ({"destination": "CN", "status": "banned", "as_of": "2024-07-01"}, ["h100"]),
    ({"destination": "CN", "status": "license_required", "as_of": "2025-05-01"}, ["h20", "mi308"]),
    ({"destination": "CN", "status": "licensed", "as_of": "2025-08-15"}, ["h20"]),
    ({"destination": "CN", "as_of": "2025-08-15"}, ["h100", "h20", "mi308"]),
    ({"destination": "RU", "status": "licensed", "as_of": "2024-03-15"}, ["h100"]),
    ({"destination": "RU", "status": "license_required", "as_of": "2025-01-01"}, ["h100", "h20"]),
    ({"destination": "MO", "as_of": "2024-09-30"}, []),
    ({"destination": "MO", "as_of": "2024-10-01"}, ["h100"]),
], ids=["all", "banned-before-any-rule", "banned-2024", "banned-after-the-lift", "required",
        "licensed", "any-cn-entry", "licensed-to-ru", "ru-licence-expired",
        "before-the-amendment", "after-the-amendment"])
def test_chips_filtered_by_destination_and_status_at_as_of(
        catalog: Catalog, params: dict[str, str], chips: list[str]) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(("params", "chips"), [
    ({"destination": "CN", "status": "unrestricted", "as_of": "2024-03-15"},
     ["ascend", "b30a", "h20", "l20", "mi308"]),
    ({"status": "unrestricted", "as_of": "2024-03-15"}, ["ascend", "b30a", "l20", "mi308"]),
], ids=["to-cn", "anywhere"])
def test_unrestricted_chips(catalog: Catalog, params: dict[str, str], chips: list[str]) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(("params", "chips"), [
    ({"manufacturer": "huawei"}, ["ascend"]),
    ({"manufacturer": "nvidia"}, ["a100", "b30a", "h100", "h20", "l20"]),
    ({"manufacturer": "amd", "destination": "CN", "status": "license_required",
      "as_of": "2025-05-01"}, ["mi308"]),
    ({"manufacturer": "samsung"}, []),
], ids=["huawei", "nvidia", "combined-with-status", "makes-none"])
def test_chips_filtered_by_manufacturer(catalog: Catalog, params: dict[str, str],
                                        chips: list[str]) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(("country", "companies"), [
    ("CN", ["huawei"]), ("US", ["amd", "nvidia"]), ("KR", ["samsung"]), ("JP", []),
])
def test_companies_filtered_by_country(catalog: Catalog, country: str,
                                       companies: list[str]) -> None:
    assert listed(catalog, "/v1/companies", "company", country=country) == companies


def test_a_listed_chip_is_its_state_at_as_of_without_coordinates(catalog: Catalog) -> None:
    item = catalog.api.ok("/v1/chips", destination="CN", status="licensed",
                          as_of="2025-08-15")["items"][0]
    state = catalog.api.ok("/v1/chips/h20", as_of="2025-08-15")
    assert item == {k: v for k, v in state.items() if k not in ("as_of", "known_at", "position")}


def test_a_list_echoes_its_as_of(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/chips", as_of="2025-08-15")["as_of"] == "2025-08-15T23:59:59.999999Z"


def test_limit_caps_a_page_and_next_is_its_last_id(catalog: Catalog) -> None:
    page = catalog.api.ok("/v1/chips", limit=3)
    assert ([c["chip"] for c in page["items"]], page["next"]) == (ALL_CHIPS[:3], "b30a")


def test_after_continues_from_the_cursor(catalog: Catalog) -> None:
    assert listed(catalog, "/v1/chips", "chip", limit=3, after="b30a") == ALL_CHIPS[3:6]


def test_following_next_links_yields_the_rest(catalog: Catalog) -> None:
    seen: list[str] = []
    response = catalog.api.get("/v1/chips", manufacturer="nvidia", limit=2)
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        pages += 1
        seen += [c["chip"] for c in response.json()["items"]]
        if response.json()["next"] is None:
            assert "link" not in response.headers
            break
        link = LINK.match(response.headers["link"])
        assert link is not None, response.headers["link"]
        response = catalog.api.client.get(link["url"])
    assert (seen, pages) == (["a100", "b30a", "h100", "h20", "l20"], 3)


def test_the_last_page_has_no_next(catalog: Catalog) -> None:
    page = catalog.api.get("/v1/chips", limit=3, after="l20")
    assert (page.json()["next"], "link" in page.headers) == (None, False)


def test_a_lists_etag_ignores_the_position(api: Api) -> None:
    s = Scene(api).register()
    url, query = "/v1/chips", {"manufacturer": s.company, "as_of": "2025-08-15"}
    first = api.get(url, **query)
    api.batch(b.company(s.id("bystander")))  # moves the checkpoint, changes no listed chip
    second = api.get(url, **query)
    assert first.json()["position"] != second.json()["position"]
    assert first.headers["etag"] == second.headers["etag"]


def test_a_list_answers_304_to_its_etag(catalog: Catalog) -> None:
    tag = catalog.api.get("/v1/chips", as_of="2025-08-15").headers["etag"]
    again = catalog.api.get("/v1/chips", {"If-None-Match": tag}, as_of="2025-08-15")
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
def test_a_list_limit_out_of_range_is_refused(catalog: Catalog, limit: str) -> None:
    assert_problem(catalog.api.get("/v1/chips", limit=limit), 422, "validation-error", "limit")


@pytest.mark.parametrize("path", ["/v1/chips", "/v1/companies", "/v1/measures"])
@pytest.mark.parametrize(("name", "value"), [("known_at", "2025-08-15"), ("at_position", "3")])
def test_a_list_refuses_known_at_and_at_position_pointing_to_the_item(
        catalog: Catalog, path: str, name: str, value: str) -> None:
    problem = assert_problem(catalog.api.get(path, **{name: value}), 422, "validation-error", name)
    assert re.search(rf"{path}/\S+", problem["detail"]), problem["detail"]


@pytest.mark.parametrize(("path", "name"), [
    ("/v1/chips", "chips"), ("/v1/chips", "country"), ("/v1/companies", "destination"),
    ("/v1/measures", "status"),
])
def test_a_list_refuses_an_unknown_parameter(catalog: Catalog, path: str, name: str) -> None:
    assert_problem(catalog.api.get(path, **{name: "x"}), 422, "validation-error", name)


@pytest.mark.parametrize(("path", "name", "value"), [
    ("/v1/chips", "status", "forbidden"), ("/v1/chips", "destination", "UK"),
    ("/v1/chips", "manufacturer", "NVIDIA"), ("/v1/chips", "as_of", "2025-02-30"),
    ("/v1/companies", "country", "cn"), ("/v1/measures", "in_force", "yes"),
    ("/v1/measures", "jurisdiction", "XX"),
])
def test_a_list_refuses_a_bad_filter_value(catalog: Catalog, path: str, name: str,
                                           value: str) -> None:
    assert_problem(catalog.api.get(path, **{name: value}), 422, "validation-error", name)


# -- objects (the fixed catalog) -------------------------------------------------------------

@pytest.mark.parametrize(("segment", "object_id", "as_of", "status"), [
    ("measures", "us-2025-h20", "2025-04-08", "pending"),
    ("measures", "us-2025-h20", "2025-05-01", "in_force"),
    ("measures", "us-2022-a100", "2024-05-31", "in_force"),
    ("measures", "us-2022-a100", "2024-06-01", "lifted"),
    ("licenses", "lic-h100-eu", "2024-12-31", "active"),
    ("licenses", "lic-h100-eu", "2025-01-01", "expired"),
    ("licenses", "lic-a100", "2023-03-01", "active"),
    ("licenses", "lic-a100", "2023-07-01", "revoked"),
    ("agreements", "rs-h20", "2025-09-01", "active"),
    ("agreements", "rs-h20", "2025-12-01", "ended"),
    ("advisories", "cn-caution", "2025-02-01", "active"),
    ("advisories", "cn-caution", "2025-03-01", "withdrawn"),
    ("cases", "cac-case", "2025-08-01", "open"),
    ("cases", "cac-case", "2025-11-01", "concluded"),
    ("applications", "app-h20", "2025-06-01", "denied"),
])
def test_an_objects_status_at_as_of(catalog: Catalog, segment: str, object_id: str,
                                    as_of: str, status: str) -> None:
    assert catalog.api.ok(f"/v1/{segment}/{object_id}", as_of=as_of)["status"] == status


def test_an_object_lists_the_events_that_made_it_and_its_version(catalog: Catalog) -> None:
    body = catalog.api.ok("/v1/measures/us-2022-a100")
    assert (body["version"], [(e["id"], e["type"]) for e in body["events"]]) == (
        2, [(catalog.ids["a100-ban"], "ExportBanImposed"),
            (catalog.ids["a100-lift"], "ExportBanLifted")])


def test_a_measures_fields_are_as_amended_at_as_of(catalog: Catalog) -> None:
    destinations = [catalog.api.ok("/v1/measures/us-2023-h100", as_of=t)["destinations"]
                    for t in ("2024-09-30", "2024-10-01")]
    assert destinations == [["CN"], ["CN", "MO"]]


def test_a_concluded_case_keeps_its_finding(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/cases/cac-case", as_of="2025-11-01")["finding"] == "cleared"


def test_a_licences_bare_date_expiry_is_the_next_midnight(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/licenses/lic-h100-eu")["expires_at"] == "2025-01-01T00:00:00Z"


def test_an_object_reported_after_k_is_not_found(catalog: Catalog) -> None:
    response = catalog.api.get("/v1/measures/us-2025-h20", known_at="2025-04-14")
    assert_problem(response, 404, "not-found")


def test_an_object_created_after_p_is_not_found(catalog: Catalog) -> None:
    position = catalog.api.ok("/v1/measures/us-2025-h20")["events"][0]["position"]
    response = catalog.api.get("/v1/measures/us-2025-h20", at_position=position - 1)
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("segment", ["measures", "licenses", "agreements", "advisories",
                                     "cases", "applications"])
def test_an_unknown_object_is_not_found(catalog: Catalog, segment: str) -> None:
    assert_problem(catalog.api.get(f"/v1/{segment}/no-such-id"), 404, "not-found")


def test_an_object_echoes_its_coordinates(catalog: Catalog) -> None:
    body = catalog.api.ok("/v1/advisories/cn-avoid", as_of="2025-09-01", known_at="2025-09-02")
    assert (body["as_of"], body["known_at"]) == (
        "2025-09-01T23:59:59.999999Z", "2025-09-02T23:59:59.999999Z")


@pytest.mark.parametrize(("path", "params", "ids"), [
    ("/v1/measures", {}, ["eu-2024-ru", "us-2022-a100", "us-2023-h100", "us-2025-h20"]),
    ("/v1/measures", {"jurisdiction": "EU"}, ["eu-2024-ru"]),
    ("/v1/measures", {"jurisdiction": "US"}, ["us-2022-a100", "us-2023-h100", "us-2025-h20"]),
    ("/v1/measures", {"in_force": "true", "as_of": "2025-01-01"}, ["eu-2024-ru", "us-2023-h100"]),
    ("/v1/measures", {"in_force": "false", "as_of": "2025-01-01"},
     ["us-2022-a100", "us-2025-h20"]),
    ("/v1/measures", {"in_force": "true", "jurisdiction": "US", "as_of": "2025-01-01"},
     ["us-2023-h100"]),
    ("/v1/licenses", {"jurisdiction": "EU"}, ["lic-h100-eu"]),
    ("/v1/licenses", {"in_force": "true", "as_of": "2024-06-01"}, ["lic-h100-eu"]),
    ("/v1/licenses", {"in_force": "true", "as_of": "2025-08-15"}, ["lic-h20"]),
    ("/v1/agreements", {"in_force": "true", "as_of": "2025-09-01"}, ["rs-h20"]),
    ("/v1/agreements", {"in_force": "true", "as_of": "2025-12-01"}, []),
    ("/v1/advisories", {"in_force": "true", "as_of": "2025-02-01"}, ["cn-caution"]),
    ("/v1/advisories", {"in_force": "true", "as_of": "2025-09-01"}, ["cn-avoid"]),
    ("/v1/cases", {"in_force": "false", "as_of": "2025-12-01"}, ["cac-case"]),
    ("/v1/applications", {"jurisdiction": "US"}, ["app-h20"]),
], ids=["measures", "eu-measures", "us-measures", "measures-in-force", "measures-not-in-force",
        "us-in-force", "eu-licences", "licences-2024", "licences-2025", "agreements-active",
        "agreements-ended", "advisories-early", "advisories-late", "cases-concluded",
        "applications"])
def test_object_lists_filter_by_jurisdiction_and_in_force(
        catalog: Catalog, path: str, params: dict[str, str], ids: list[str]) -> None:
    id_field = {"/v1/measures": "measure_id", "/v1/licenses": "license_id",
                "/v1/agreements": "agreement_id", "/v1/advisories": "advisory_id",
                "/v1/cases": "case_id", "/v1/applications": "application_id"}[path]
    assert listed(catalog, path, id_field, **params) == ids
