"""Chips and companies: state at (T, K, P), timeline, history spans, diff, and lists."""

# No `from __future__ import annotations`: FastAPI must see the path parameter's alias,
# which is built per kind inside the route factory.

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from domain.clocks import DateRole
from domain.history import Window
from domain.lanes import DETAILS
from services.api.contract import SPANS, STATE, answer, query
from services.api.coordinates import parse_time
from services.api.deps import ContainerDep, Reader
from services.api.listing import list_subjects
from services.api.problems import ApiProblem, one_of
from services.api.routes.diff import DIFF_PARAMS, answer_diff
from services.api.routes.reads import SPAN_PARAMS, STATE_PARAMS, read_subject, refuse_unknown
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

router = APIRouter(prefix="/v1")
Param = Annotated[str | None, Query()]
KINDS = {"chips": "chip", "companies": "company"}
EXAMPLES = {"chip": "h20", "company": "nvidia"}  # ids of the demo timeline
# kind -> the answer models of its state, timeline, history, diff and list (docs/state.md)
ANSWERS: dict[str, tuple[type[BaseModel], ...]] = {
    "chip": (ChipState, ChipTimeline, ChipHistory, ChipDiff, ChipPage),
    "company": (CompanyState, CompanyTimeline, CompanyHistory, CompanyDiff, CompanyPage),
}
LIST_FILTERS = {"chip": ("destination", "status", "manufacturer"), "company": ("country",)}
WINDOWED = SPAN_PARAMS | {"from", "to"}
# what each span read takes besides its coordinates and window (docs/state.md)
OWN_PARAMS = {"timeline": (), "history": ("detail",)}


def window(start: str | None, end: str | None) -> Window:
    """A timeline's or history's `from`/`to` (docs/state.md, "Timelines, history and
    diffs"): a bare date is the start of that day for `from` and its end for `to`."""
    found = Window(parse_time("from", start, DateRole.START), parse_time("to", end, DateRole.END))
    if found.start is not None and found.end is not None and found.start > found.end:
        raise ApiProblem(
            "validation-error",
            "from is after to: the window would hold nothing",
            [{"detail": "must not be after `to`", "parameter": "from"}],
        )
    return found


def detail_of(value: str | None) -> str:
    """A history's `detail` (docs/state.md, "Lanes: the history a timeline draws")."""
    return one_of("detail", value, DETAILS) or "full"


def _span_read(
    on: APIRouter,
    plural: str,
    kind: str,
    segment: str,
    model: type[BaseModel],
    summary: str,
) -> None:
    """GET /v1/{plural}/{id}/{segment}: a read over all valid time at (K, P) — the timeline
    or the history spans (docs/state.md, "Timelines, history and diffs")."""

    @on.get(
        f"/{plural}/{{{kind}}}/{segment}",
        operation_id=f"get{kind.title()}{segment.title()}",
        summary=summary,
        responses=answer(model),
        openapi_extra=query(*SPANS, "window_from", "window_to", *OWN_PARAMS[segment]),
    )
    async def span_read(
        request: Request,
        container: ContainerDep,
        _: Reader,
        subject: Annotated[
            str,
            Path(
                alias=kind,
                description=f"the {kind}'s id",
                examples=["h20" if kind == "chip" else "nvidia"],
            ),
        ],
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
        from_: Annotated[str | None, Query(alias="from")] = None,
        to: Param = None,
        # declared for the history only, by OWN_PARAMS in openapi_extra
        detail: Annotated[str | None, Query(include_in_schema=False)] = None,
    ) -> Response:
        refuse_unknown(request, WINDOWED | set(OWN_PARAMS[segment]))
        options = {"detail": detail_of(detail)} if segment == "history" else {}
        return await read_subject(
            request,
            container,
            partial(getattr(container.pit, segment), window=window(from_, to), **options),
            kind,
            subject,
            (None, known_at, at_position, min_position),
            uses_as_of=False,
        )


def _routes(plural: str) -> None:
    kind = KINDS[plural]
    title = kind.title()
    state_model, timeline_model, history_model, diff_model, page_model = ANSWERS[kind]
    Subject = Annotated[  # noqa: N806 - a type, local to the kind
        str,
        Path(alias=kind, description=f"the {kind}'s id", examples=[EXAMPLES[kind]]),
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
        return await read_subject(
            request,
            container,
            container.pit.state,
            kind,
            subject,
            (as_of, known_at, at_position, min_position),
            uses_as_of=True,
        )

    span_reads = (
        (
            "timeline",
            timeline_model,
            f"The events that concern the {kind}, revisions applied as known at K",
        ),
        (
            "history",
            history_model,
            f"The {kind}'s state spans, split at every change (what a UI draws)",
        ),
    )
    for segment, model, summary in span_reads:
        _span_read(on, plural, kind, segment, model, summary)

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
        return await answer_diff(
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
        summary=f"{plural.title()} and their state at (as_of, known_at, at_position), filtered",
        responses=answer(page_model),
        openapi_extra=query(
            "as_of",
            "known_at",
            "at_position",
            *LIST_FILTERS[kind],
            "after_id",
            "limit",
            "min_position",
        ),
    )
    async def listing(request: Request, container: ContainerDep, _: Reader) -> Response:
        return await list_subjects(request, container, kind)

    router.include_router(on)


for _plural in KINDS:
    _routes(_plural)
