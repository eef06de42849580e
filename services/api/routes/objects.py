"""Measures, licences, agreements, advisories, cases, licence applications and destination groups."""

# No `from __future__ import annotations`: FastAPI must see the path parameter's alias,
# which is built per kind inside the route factory.

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from domain.ids import check_slug
from domain.objects import KINDS
from projections.state_queries import Reading
from services.api.contract import STATE, answer, query
from services.api.coordinates import resolve
from services.api.deps import ContainerDep, Reader
from services.api.listing import list_objects
from services.api.problems import ApiProblem
from services.api.routes.reads import STATE_PARAMS, canonical_answer, refuse_unknown
from services.api.schemas.objects import OBJECT_PAGES, OBJECT_VIEWS

router = APIRouter(prefix="/v1", tags=["objects"])
Param = Annotated[str | None, Query()]


def _routes(segment: str) -> None:
    kind, id_field = KINDS[segment]
    ObjectId = Annotated[str, Path(alias=id_field, description=f"the {kind}'s id")]  # noqa: N806

    @router.get(
        f"/{segment}",
        operation_id=f"list{segment.title()}",
        summary=f"{segment.title()} at as_of (filters: jurisdiction, in_force)",
        responses=answer(OBJECT_PAGES[segment]),
        openapi_extra=query(
            "as_of", "jurisdiction", "in_force", "after_id", "limit", "min_position"
        ),
    )
    async def listing(request: Request, container: ContainerDep, _: Reader) -> Response:
        return await list_objects(request, container, segment)

    @router.get(
        f"/{segment}/{{{id_field}}}",
        operation_id=f"get{OBJECT_VIEWS[segment].__name__}",
        summary=f"One {kind} at (as_of, known_at, at_position), with its events",
        responses=answer(OBJECT_VIEWS[segment]),
        openapi_extra=query(*STATE),
    )
    async def one(
        request: Request,
        container: ContainerDep,
        _: Reader,
        object_id: ObjectId,
        as_of: Param = None,
        known_at: Param = None,
        at_position: Param = None,
        min_position: Param = None,
    ) -> Response:
        refuse_unknown(request, STATE_PARAMS)
        try:
            slug = check_slug(object_id)
        except ValueError as error:
            raise ApiProblem(
                "validation-error",
                f"{id_field}: {error}",
                [{"detail": str(error), "parameter": id_field}],
            ) from None
        resolved = await resolve(container, as_of, known_at, at_position, min_position)

        def read() -> dict[str, Any] | None:
            with Reading(container.engine) as db:
                return container.pit.object(db, segment, slug, resolved.at)

        body = await asyncio.to_thread(read)
        if body is None:
            raise ApiProblem(
                "not-found",
                f"no {kind} {slug!r} known at that position and time",
                [{"detail": "not found", "parameter": id_field}],
            )
        return canonical_answer(request, body, resolved.cache_control)


for _segment in KINDS:
    _routes(_segment)
