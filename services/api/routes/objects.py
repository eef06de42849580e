"""Measures, licences, agreements, advisories, cases (and licence applications)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from domain.ids import check_slug
from domain.objects import KINDS
from projections.state_queries import Reading
from services.api.coordinates import resolve
from services.api.deps import ContainerDep, Reader
from services.api.listing import list_objects
from services.api.problems import ApiProblem
from services.api.routes.subjects import STATE_PARAMS, _answer, refuse_unknown

router = APIRouter(prefix="/v1", tags=["objects"])
Param = Annotated[str | None, Query()]


def _routes(segment: str) -> None:
    kind, id_field = KINDS[segment]

    @router.get(f"/{segment}", name=f"{kind}_list",
                summary=f"{segment.title()} at as_of (filters: jurisdiction, in_force)")
    async def listing(request: Request, container: ContainerDep, _: Reader) -> Response:
        return await list_objects(request, container, segment)

    @router.get(f"/{segment}/{{object_id}}", name=f"{kind}_get",
                summary=f"One {kind} at (as_of, known_at, at_position), with its events")
    async def one(request: Request, container: ContainerDep, _: Reader, object_id: str,
                  as_of: Param = None, known_at: Param = None, at_position: Param = None,
                  min_position: Param = None) -> Response:
        refuse_unknown(request, STATE_PARAMS)
        try:
            slug = check_slug(object_id)
        except ValueError as error:
            raise ApiProblem("validation-error", f"{id_field}: {error}",
                             [{"detail": str(error), "parameter": id_field}]) from None
        resolved = await resolve(container, as_of, known_at, at_position, min_position)

        def read() -> object:
            with Reading(container.engine) as db:
                return container.pit.object(db, segment, slug, resolved.at)

        body = await asyncio.to_thread(read)
        if body is None:
            raise ApiProblem("not-found", f"no {kind} {slug!r} known at that position and time",
                             [{"detail": "not found", "parameter": id_field}])
        return _answer(request, body, resolved.cache_control)  # type: ignore[arg-type]


for _segment in KINDS:
    _routes(_segment)
