"""GET /v1/chips/{chip}/diff and /v1/companies/{company}/diff (docs/state.md, "Timelines,
history and diffs"): the two coordinates a diff compares, along valid time or knowledge."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.clocks import DateRole
from services.api.coordinates import parse_time, resolve
from services.api.problems import ApiProblem, one_of
from services.api.routes.reads import canonical_answer, not_found, run_read, subject_slug
from services.bootstrap import Container
from services.read.pit import Coordinates

DIFF_PARAMS = frozenset({"from", "to", "axis", "as_of", "known_at", "at_position", "min_position"})


async def answer_diff(
    request: Request,
    container: Container,
    kind: str,
    subject: str,
    from_: str | None,
    to: str | None,
    axis: str | None,
    coordinates: tuple[str | None, str | None, str | None, str | None],
) -> Response:
    as_of, known_at, at_position, min_position = coordinates
    slug = subject_slug(kind, subject)
    start, end = _diff_bounds(from_, to)
    mode = one_of("axis", axis or None, ("effective", "known")) or "effective"
    if mode == "effective" and as_of is not None:
        raise _conflicting("as_of", "axis=effective takes its dates from `from` and `to`")
    if mode == "known" and known_at is not None:
        raise _conflicting("known_at", "axis=known takes its dates from `from` and `to`")
    base = await resolve(container, as_of, known_at, at_position, min_position)
    now = container.clock()
    if mode == "effective":
        before = Coordinates(start, base.at.known_at, base.at.position)
        after = Coordinates(end, base.at.known_at, base.at.position)
    else:
        before = Coordinates(base.at.as_of, min(start, now), base.at.position)
        after = Coordinates(base.at.as_of, min(end, now), base.at.position)
    body = await run_read(container, container.pit.diff, kind, slug, before, after, mode)
    if body is None:
        raise not_found(kind, slug)
    return canonical_answer(
        request, body, base.cache_control if at_position else "public, max-age=5"
    )


def _diff_bounds(start: str | None, end: str | None) -> tuple[Any, Any]:
    missing = [n for n, v in (("from", start), ("to", end)) if v is None]
    if missing:
        raise ApiProblem(
            "validation-error",
            f"{missing[0]} is required",
            [{"detail": "required", "parameter": n} for n in missing],
        )
    return parse_time("from", start, DateRole.START), parse_time("to", end, DateRole.END)


def _conflicting(name: str, why: str) -> ApiProblem:
    return ApiProblem(
        "validation-error",
        f"{name} does not apply here: {why}",
        [{"detail": why, "parameter": name}],
    )
