"""A point-in-time answer served from a subject's slice equals the reference fold over the
whole log (docs/state.md; docs/architecture.md, "Point-in-time reads").

The read side folds only the aggregates indexed under a chip or company (plus, for a chip,
every measure that ever had criteria). These properties generate random histories — valid
times out of order, late and early reports, embargoes, amendments, lifts, licences with
expiries, halts and resumes, corrections of every clock and of whole payloads (chip specs
included), retractions and reinstatements — append them through the writer, keeping only
what the log's rules accept, and compare at random (T, K, P) the served state with
`domain.pit.state` over every event in the store. A mismatch means the slice is wrong.

One database serves every example of a test (a fresh PostgreSQL database costs ~0.4 s):
each example names its own chips, companies and objects (prefix `p<n>-`) and compares only
those. The other examples' events are in the log the reference folds; they must not leak
into an answer, which is itself a test of slice selection.

`REGTL_HYPOTHESIS_PROFILE=thorough` runs many more examples.

The histories are drawn in tests/properties/histories.py, played by tests/properties/runs.py
and asked about at the coordinates of tests/properties/probes.py; the databases are
tests/properties/stores.py's.
"""

from __future__ import annotations

import os
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.clocks import DateRole, format_instant, parse_instant
from domain.events import Recorded
from projections.canonical import dumps
from projections.state_queries import Reading
from services.read.pit import Coordinates
from tests.properties.histories import TARGET, History, histories
from tests.properties.probes import Probe, probes, resolve
from tests.properties.reference_fold import WholeLog, expected, expected_for_all
from tests.properties.runs import Run, play_whole
from tests.properties.stores import Stores
from tests.support.clock import FakeClock

PROFILE = os.environ.get("REGTL_HYPOTHESIS_PROFILE", "default")
EXAMPLES = {"default": {"slice": 30, "http": 12}, "thorough": {"slice": 300, "http": 100}}[PROFILE]
PROBES = {"default": 8, "thorough": 12}[PROFILE]  # coordinates asked per example


def _settings(examples: int) -> Any:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# psycopg_pool's background threads draw from `random` (connection-lifetime jitter) while
# Hypothesis generates data; Hypothesis mistakes that for a strategy using `random`.
POOL_JITTER = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")


def _note(run: Run, answers: list[dict[str, Any]]) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): what the examples exercised."""
    stored = len(run.pool("domain"))
    event(f"accepted {stored // 10 * 10}+ domain events, refused {run.refused // 10 * 10}+")
    event(f"registered answers: {len(answers) // 20 * 20}+")
    for name in (
        "anomalies",
        "upcoming",
        "export",
        "end_user_restrictions",
        "licenses",
        "production_orders_received",
        "investigations",
    ):
        if any(a.get(name) for a in answers):
            event(f"some answer has {name}")
    entries = [e for a in answers for e in (a.get("export") or {}).values()]
    for label, seen in (
        ("suspended_measures", any(a.get("suspended_measures") for a in answers)),
        ("a review_policy", any(e["review_policy"] for e in entries)),
        ("an exception", any(e["exceptions"] for e in entries)),
        ("a destination via a group", any("group:" in str(e["via"]) for e in entries)),
        ("pending_applications", any(e["pending_applications"] for e in entries)),
        ("duties", any(a.get("duties") for a in answers)),
        ("announcements", any(a.get("announcements") for a in answers)),
        ("owners", any(a.get("owners") for a in answers)),
        (
            "an affiliate",
            any(r["via"] for a in answers for r in a.get("export_restrictions") or []),
        ),
        (
            "v2 upcoming kinds",
            any(
                u["kind"] in ("ExportBanSuspended", "ExportBanReinstated", "ComplianceRequired")
                or u["kind"].startswith("Destination")
                for a in answers
                for u in a.get("upcoming", [])
            ),
        ),
    ):
        if seen:
            event(f"v2: some answer has {label}")


# -- the properties ---------------------------------------------------------------------------


@POOL_JITTER
@_settings(EXAMPLES["slice"])
@given(history=histories(), asked=st.lists(probes(), min_size=PROBES, max_size=PROBES))
def test_state_from_the_subject_slice_equals_the_fold_over_the_whole_log(
    stores: Stores, clock: FakeClock, history: History, asked: list[Probe]
) -> None:
    container = stores.current()
    run, log, head, checkpoint = play_whole(container, clock, history)
    answers = []
    with Reading(container.engine) as db:
        for index, probe in enumerate(asked):
            at = resolve(run, probe, head, checkpoint)
            subjects = run.subjects()
            want = expected_for_all(subjects, log, at, pin=index == 0)
            for kind, subject in subjects:
                served = container.pit.state(db, kind, subject, at)
                assert served == want[(kind, subject)], (kind, subject, at)
                answers += [served] if served is not None else []
    _note(run, answers)


def _query(
    run: Run, probe: Probe, subject: tuple[str, str], head: int, checkpoint: int
) -> tuple[str, dict[str, str]]:
    """An HTTP request with T, K and P explicit; T now and then as a bare date (its end)."""
    at = resolve(run, probe, head, checkpoint)
    as_of = at.as_of.date().isoformat() if probe.as_of[0] == "day" else format_instant(at.as_of)
    kind, slug = subject
    plural = "chips" if kind == "chip" else "companies"
    return f"/v1/{plural}/{slug}", {
        "as_of": as_of,
        "known_at": format_instant(at.known_at),
        "at_position": str(at.position),
    }


def _check_http(
    client: TestClient, run: Run, log: list[tuple[int, Recorded]], url: str, params: dict[str, str]
) -> bytes:
    response = client.get(url, params=params)
    kind = "chip" if url.startswith("/v1/chips/") else "company"
    # docs/state.md: K later than the request's time is read as that time.
    at = Coordinates(
        parse_instant(params["as_of"], DateRole.END),
        min(parse_instant(params["known_at"], DateRole.END), run.clock.now),
        int(params["at_position"]),
    )
    want = expected(kind, url.rsplit("/", 1)[1], log, at)
    if want is None:
        assert response.status_code == 404, response.text
    else:
        assert response.status_code == 200, response.text
        assert response.json() == orjson.loads(dumps(want)), (url, params)
    return response.content


@POOL_JITTER
@_settings(EXAMPLES["http"])
@given(history=histories(), asked=st.lists(st.tuples(probes(), TARGET), min_size=4, max_size=4))
def test_http_answers_equal_the_fold_and_stay_byte_identical(
    stores: Stores, clock: FakeClock, history: History, asked: list[tuple[Probe, int]]
) -> None:
    """GET /v1/chips/{id} and /v1/companies/{id} with explicit (T, K, P) serve the reference
    fold; the same request later — after more events, corrections and retractions of earlier
    ones included, were appended and projected — gives the same bytes (docs/state.md,
    "Reproducible")."""
    container, client = stores.current(), stores.http()
    run = Run(container, clock, history)
    run.play(history.ops[: history.split])
    container.catch_up()
    log = WholeLog.of(container)
    head, checkpoint = container.log.head(), container.projected_position()
    subjects = run.subjects()
    first = []
    for probe, which in asked:
        url, params = _query(run, probe, subjects[which % len(subjects)], head, checkpoint)
        if parse_instant(params["known_at"]) > clock.now:  # reproducible only for K ≤ now
            params["known_at"] = format_instant(clock.now)
        first.append((url, params, _check_http(client, run, log, url, params)))
    run.play(history.ops[history.split :])
    run.play(run.rewrites_of_the_past())
    container.catch_up()
    log = WholeLog.of(container)
    head, checkpoint = container.log.head(), container.projected_position()
    for url, params, body in first:
        again = client.get(url, params=params)
        assert again.content == body, (url, params)
        if again.status_code == 200:
            assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for probe, which in asked:  # after the rest: K may now lie past the clock (read as now)
        url, params = _query(run, probe, subjects[-1 - which % len(subjects)], head, checkpoint)
        _check_http(client, run, log, url, params)
