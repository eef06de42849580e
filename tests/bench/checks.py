"""The export check's figures (docs/performance.md; docs/checks.md, "How it is served"),
on the point-in-time data set (tests/bench/pit/dataset.py), after its own figures:

- `check_p99_ms_inprocess`: `container.pit.check` as GET /v1/checks/export runs it, at
  random (T, K), chips, destinations and (for END_USER_SHARE of the questions) end users,
  warm (each question's union of slices prepared once at P) and cold (fresh caches); a
  sample is checked equal to the check over the reference fold of the whole log;
- `check_p99_ms_http`: the same questions over HTTP from wrk, at 1, 2 and 4 connections.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from domain import pit as reference
from domain.clocks import format_instant
from domain.export_check import NotRegistered, Question, export_check
from projections.state_queries import Reading
from services.read.pit import Coordinates, PointInTime
from tests.bench.common import Reported, emit, scale, scaled
from tests.bench.pit.dataset import Dataset
from tests.bench.pit.inprocess import _pct, read_whole_log, summary
from tests.bench.pit.workload import DESTINATIONS, END, SEED, START
from tests.bench.served_http import serve_and_measure
from tests.bench.stats import ms
from tests.bench.wrk import lua_script

FIGURES = ("check_p99_ms_inprocess", "check_p99_ms_http")
END_USER_SHARE = 0.25  # of questions: with an end user (a random company)
LUA = Path(__file__).with_name("check_query.lua")


def sizes() -> dict[str, Any]:
    return {
        "check_queries": scaled(2_000, 200),
        "check_cold_queries": scaled(300, 50),
        "check_fold_sample": scaled(5, 3),
        "check_http_questions": scaled(500, 50),
        "check_http_seconds": max(3, round(10 * scale())),
    }


Asked = tuple[Question, Coordinates]


def _questions(data: Dataset, n: int, rng: random.Random) -> list[Asked]:
    companies = [f"co-{i:04d}" for i in range(data.facts["companies"])]  # generator.py names
    out = []
    for query in data.queries(n):
        end_user = rng.choice(companies) if rng.random() < END_USER_SHARE else None
        out.append((Question(query.chip, rng.choice(DESTINATIONS), None, end_user), query.at))
    return out


def _served(data: Dataset, pit: PointInTime, asked: Asked) -> dict[str, Any] | NotRegistered:
    with Reading(data.container.engine) as db:  # as the route does: connects only if needed
        return pit.check(db, *asked)


def _timed(data: Dataset, pit: PointInTime, questions: list[Asked]) -> tuple[list[float], int]:
    latencies, missing = [], 0
    for asked in questions:
        t0 = time.perf_counter()
        answer = _served(data, pit, asked)
        latencies.append(time.perf_counter() - t0)
        missing += isinstance(answer, NotRegistered)
    return latencies, missing


def _shown(answers: list[dict[str, Any] | NotRegistered]) -> dict[str, Any]:
    seen: Counter[str] = Counter()
    for answer in answers:
        if isinstance(answer, dict):
            seen[answer["decision"]] += 1
            seen["with_unknowns"] += bool(answer["unknowns"])
            seen["with_end_user_reasons"] += any("company" in r for r in answer["reasons"])
    return dict(sorted(seen.items()))


def check_inprocess(data: Dataset) -> dict[str, Any]:
    data.ready()
    size, rng = sizes(), random.Random(SEED + 7)
    cold_questions = _questions(data, size["check_cold_queries"], rng)
    cold, _ = _timed(data, PointInTime(), cold_questions)
    pit, questions = data.container.pit, _questions(data, size["check_queries"], rng)
    for question, at in questions:  # warm: each question's union prepared once at P
        _served(data, pit, (question, Coordinates(at.as_of, at.as_of, at.position)))
    latencies, missing = _timed(data, pit, questions)
    answers = [_served(data, pit, asked) for asked in questions]
    events = read_whole_log(data.container)
    mismatches = []
    for question, at in questions[: size["check_fold_sample"]]:
        world = reference.world_at(events, at.as_of, at.known_at, at.position)
        want = export_check(world, question)
        if isinstance(want, dict):
            want = {**want, **at.echo()}
        if _served(data, pit, (question, at)) != want:
            mismatches.append(f"{question} at {at.echo()}")
    extra = {
        **summary(latencies, ""),
        **summary(cold, "cold_"),
        "not_found": missing,
        "answers": _shown(answers),
        "equal_to_fold_checked": size["check_fold_sample"],
        "mismatches": len(mismatches),
        "workload": (
            "container.pit.check(Reading(engine), Question(chip, destination, None, end user), "
            "Coordinates(T, K, P=checkpoint)) per question as the route runs it, 1 thread; "
            "chips as Dataset.probe_chip draws them, destinations uniform over the workload's, "
            f"an end user (a random company) for {END_USER_SHARE:.0%}, T and K uniform over "
            "the data's dates; warm = each question asked once before at P; cold = fresh "
            "caches; a sample checked equal to domain.export_check over the reference fold"
        ),
        "data": data.facts,
    }
    if mismatches or missing:
        error = f"{len(mismatches)} differ from the fold ({mismatches[:1]}); {missing} not found"
        emit("check_p99_ms_inprocess", None, "ms", None, **extra, error=error)
        raise Reported(error)
    return emit("check_p99_ms_inprocess", ms(_pct(latencies, 0.99)), "ms", None, **extra)


def _query_string(question: Question) -> str:
    end_user = "" if question.end_user is None else f"&end_user={question.end_user}"
    return f"chip={question.chip}{end_user}"


def _check_script(key: str, questions: list[Asked], position: int) -> str:
    low, high = START - timedelta(days=30), END + timedelta(days=90)
    return lua_script(
        LUA,
        KEY=key,
        PAIRS=", ".join(f'"{_query_string(q)}"' for q, _ in questions),
        DESTINATIONS=", ".join(f'"{d}"' for d in DESTINATIONS),
        LOW=str(int(low.timestamp())),
        HIGH=str(int(high.timestamp())),
        POSITION=str(position),
    )


def check_http(data: Dataset) -> dict[str, Any]:
    data.ready()
    size, rng = sizes(), random.Random(SEED + 8)
    questions = _questions(data, size["check_http_questions"], rng)
    requests = [  # the cold pass, and the warm-up
        (
            "/v1/checks/export",
            {
                "chip": question.chip,
                "destination": question.destination,
                "as_of": format_instant(at.as_of),
                "known_at": format_instant(at.known_at),
                "at_position": str(at.position),
                **({"end_user": question.end_user} if question.end_user else {}),
            },
        )
        for question, at in questions
    ]
    measured = serve_and_measure(
        data.db,
        requests,
        lambda i: _served(data, data.container.pit, questions[i]),
        lambda key: _check_script(key, questions, data.position),
        size["check_http_seconds"],
        "check_http",
    )
    runs, cold = measured.runs, measured.cold
    main = runs[2]
    problems = [f"{c} connections: {r['errors']} errors" for c, r in runs.items() if r["errors"]]
    line = emit(
        "check_p99_ms_http",
        main["p99_ms"],
        "ms",
        None,
        connections=2,
        **{k: main[k] for k in ("p50_ms", "max_ms", "requests", "rps", "client_cpu_s")},
        server_cpu_s=main["server_cpu_s"],
        by_connections={str(c): r for c, r in runs.items()},
        **summary(cold, "cold_"),
        client=f"wrk + Lua ({LUA.name}): a random question of the {len(questions)} warmed "
        "(chip, end user), a random destination, T and K uniform, at_position = checkpoint",
        server=measured.topology,
        **({"error": "; ".join(problems)} if problems else {}),
        data=data.facts,
    )
    if problems:
        raise Reported("; ".join(problems))
    return line


def run_on(data: Dataset, run: Any) -> None:
    """Run the selected check figures on the point-in-time data set (tests/bench/pit)."""
    run("check_p99_ms_inprocess", lambda: check_inprocess(data))
    run("check_p99_ms_http", lambda: check_http(data))
