"""Chips and companies: state at (T, K, P), timeline, history spans, diff, and lists."""

# No `from __future__ import annotations`: FastAPI must see the path parameter's alias,
# which is built per kind inside the route factory.

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from domain.clocks import DateRole
from domain.ids import check_slug
from projections.canonical import dumps
from projections.state_queries import Reading
from services.api.contract import SPANS, STATE, answer, query
from services.api.coordinates import parse_time, resolve
from services.api.deps import ContainerDep, Reader
from services.api.listing import list_subjects
from services.api.problems import ApiProblem
from services.api.responses import cached_json
from services.api.schemas.events import ChipTimeline, CompanyTimeline
from services.api.schemas.state import ChipState, CompanyState
from services.api.schemas.subjects import (
    ChipDiff,
    ChipHistory,
    ChipPage,
    CompanyDiff,
    CompanyHistory,
    CompanyPage,
)
from services.bootstrap import Container
from services.read.pit import Coordinates

router = APIRouter(prefix="/v1")
Param = Annotated[str | None, Query()]
KINDS = {"chips": "chip", "companies": "company"}
# kind -> the answer models of its state, timeline, history, diff and list (docs/state.md)
ANSWERS: dict[str, tuple[type[BaseModel], ...]] = {
    "chip": (ChipState, ChipTimeline, ChipHistory, ChipDiff, ChipPage),
    "company": (CompanyState, CompanyTimeline, CompanyHistory, CompanyDiff, CompanyPage),
}
LIST_FILTERS = {"chip": ("destination", "status", "manufacturer"), "company": ("country",)}


def _subject(kind: str, value: str) -> str:
    try:
        return check_slug(value)
    except ValueError as error:
        raise ApiProblem(
            "validation-error", f"{kind}: {error}", [{"detail": str(error), "parameter": kind}]
        ) from None


STATE_PARAMS = frozenset({"as_of", "known_at", "at_position", "min_position"})
SPAN_PARAMS = frozenset({"known_at", "at_position", "min_position"})  # no T: all valid time
DIFF_PARAMS = frozenset({"from", "to", "axis", "as_of", "known_at", "at_position", "min_position"})


def refuse_unknown(request: Request, allowed: frozenset[str]) -> None:
    """A misspelt coordinate (`asof`) must not silently answer at its default: 422, as the
    lists and GET /v1/events do."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ApiProblem(
            "validation-error",
            f"unknown parameter {unknown[0]!r} (this read takes {', '.join(sorted(allowed))})",
            [{"detail": "unknown parameter", "parameter": n} for n in unknown],
        )


def _not_found(kind: str, subject: str) -> ApiProblem:
    return ApiProblem(
        "not-found",
        f"no {kind} {subject!r} is registered at that position",
        [{"detail": "not registered", "parameter": kind}],
    )


def _answer(request: Request, body: dict[str, Any], cache_control: str) -> Response:
    """Canonical JSON; the weak ETag covers the answer without its position."""
    without_position = {k: v for k, v in body.items() if k != "position"}
    return cached_json(
        request,
        dumps(body),
        etag_body=dumps(without_position),
        headers={"Cache-Control": cache_control},
    )


async def _run(container: Container, work: Any, *args: Any) -> Any:
    def call() -> Any:
        with Reading(container.engine) as db:  # connects only if the read needs to
            return work(db, *args)

    return await asyncio.to_thread(call)


async def _read(
    request: Request,
    container: Container,
    read: Any,
    kind: str,
    subject: str,
    coordinates: tuple[str | None, ...],
    *,
    uses_as_of: bool,
) -> Response:
    """Resolve (T, K, P), run one point-in-time read, 404 if the subject is unknown."""
    slug = _subject(kind, subject)
    resolved = await resolve(container, *coordinates, uses_as_of=uses_as_of)
    body = await _run(container, read, kind, slug, resolved.at)
    if body is None:
        raise _not_found(kind, slug)
    return _answer(request, body, resolved.cache_control)


def _routes(plural: str) -> None:
    kind = KINDS[plural]
    title = kind.title()
    state_model, timeline_model, history_model, diff_model, page_model = ANSWERS[kind]
    Subject = Annotated[
        str,
        Path(
            alias=kind,
            description=f"the {kind}'s id",  # noqa: N806
            examples=["h20" if kind == "chip" else "nvidia"],
        ),
    ]
    on = APIRouter(tags=[plural])

    @on.get(
        f"/{plural}/{{{kind}}}",
        operation_id=f"get{title}State",
        summary=f"The {kind}'s state at (as_of, known_at, at_position)",
        responses=answer(state_model),
        openapi_extra=query(*STATE),
    )
    async def state(
        request: Request,
        container: ContainerDep,
        _: Reader,
        subject: Subject,
        as_of: Param = None,
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
    ) -> Response:
        refuse_unknown(request, STATE_PARAMS)
        return await _read(
            request,
            container,
            container.pit.state,
            kind,
            subject,
            (as_of, known_at, at_position, min_position),
            uses_as_of=True,
        )

    @on.get(
        f"/{plural}/{{{kind}}}/timeline",
        operation_id=f"get{title}Timeline",
        summary=f"The events that concern the {kind}, revisions applied as known at K",
        responses=answer(timeline_model),
        openapi_extra=query(*SPANS),
    )
    async def timeline(
        request: Request,
        container: ContainerDep,
        _: Reader,
        subject: Subject,
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
    ) -> Response:
        refuse_unknown(request, SPAN_PARAMS)
        return await _read(
            request,
            container,
            container.pit.timeline,
            kind,
            subject,
            (None, known_at, at_position, min_position),
            uses_as_of=False,
        )

    @on.get(
        f"/{plural}/{{{kind}}}/history",
        operation_id=f"get{title}History",
        summary=f"The {kind}'s state spans, split at every change (what a UI draws)",
        responses=answer(history_model),
        openapi_extra=query(*SPANS),
    )
    async def history(
        request: Request,
        container: ContainerDep,
        _: Reader,
        subject: Subject,
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
    ) -> Response:
        refuse_unknown(request, SPAN_PARAMS)
        return await _read(
            request,
            container,
            container.pit.history,
            kind,
            subject,
            (None, known_at, at_position, min_position),
            uses_as_of=False,
        )

    @on.get(
        f"/{plural}/{{{kind}}}/diff",
        operation_id=f"get{title}Diff",
        summary="What changed between two dates, in valid time or in knowledge",
        responses=answer(diff_model),
        openapi_extra=query("from", "to", "axis", *STATE),
    )
    async def difference(
        request: Request,
        container: ContainerDep,
        _: Reader,
        subject: Subject,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: Param = None,
        axis: Param = None,
        as_of: Param = None,
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
    ) -> Response:
        refuse_unknown(request, DIFF_PARAMS)
        return await _difference(
            request,
            container,
            kind,
            subject,
            from_,
            to,
            axis,
            (as_of, known_at, at_position, min_position),
        )

    @on.get(
        f"/{plural}",
        operation_id=f"list{plural.title()}",
        summary=f"{plural.title()} and their state at as_of, filtered, paginated by id",
        responses=answer(page_model),
        openapi_extra=query("as_of", *LIST_FILTERS[kind], "after_id", "limit", "min_position"),
    )
    async def listing(request: Request, container: ContainerDep, _: Reader) -> Response:
        return await list_subjects(request, container, kind)

    router.include_router(on)


async def _difference(
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
    slug = _subject(kind, subject)
    start, end = _diff_bounds(from_, to)
    mode = axis or "effective"
    if mode not in ("effective", "known"):
        raise ApiProblem(
            "validation-error",
            "axis must be effective or known",
            [{"detail": "effective | known", "parameter": "axis"}],
        )
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
    body = await _run(container, container.pit.diff, kind, slug, before, after, mode)
    if body is None:
        raise _not_found(kind, slug)
    return _answer(request, body, base.cache_control if at_position else "public, max-age=5")


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


for _plural in KINDS:
    _routes(_plural)
