"""Liveness, readiness and the problem-type pages."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import text

from projections.canonical import dumps
from projections.projector import active_generation, active_position
from services.api.contract import answer
from services.api.deps import ContainerDep, caller
from services.api.problems import KINDS, ApiProblem, problem_response
from services.api.schemas.operations import Health, Readiness
from services.bootstrap import Container

router = APIRouter(tags=["operations"])


@router.get(
    "/healthz",
    summary="The process is up (never touches the database)",
    operation_id="getHealth",
    responses=answer(Health),
)
async def healthz() -> Response:
    return Response(dumps({"status": "ok"}), media_type="application/json")


def _readiness(container: Container) -> dict[str, Any]:
    with container.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        generation = active_generation(conn)
        position = active_position(conn)
    head = container.log.head()
    views = {"generation": generation, "position": position, "lag": head - position}
    return {"status": "ready", "database": "ok", "log_head": head, "projections": {"views": views}}


async def _may_see_details(request: Request, container: Container) -> bool:
    """The log head and lag are reads: with REGTL_PUBLIC_READS=false only a read key sees
    them; a probe without a key still learns ready or not (docs/configuration.md)."""
    if "authorization" in request.headers:
        await caller(request, "read")  # 401/403 for a bad key, as on every read
        return True
    return container.settings.public_reads


@router.get(
    "/readyz",
    summary="The database answers; projection lag is reported, not fatal",
    operation_id="getReadiness",
    responses=answer(Readiness),
)
async def readyz(request: Request, container: ContainerDep) -> Response:
    detailed = await _may_see_details(request, container)
    try:
        report = await asyncio.wait_for(asyncio.to_thread(_readiness, container), timeout=2.5)
    except Exception as error:  # any failure at all means "not ready"
        reason = f": {type(error).__name__}" if detailed else ""
        return problem_response(
            "not-ready", f"the database is not reachable{reason}", headers={"Retry-After": "5"}
        )
    if not detailed:
        report = {"status": report["status"]}
    return Response(
        dumps(report), media_type="application/json", headers={"Cache-Control": "no-store"}
    )


@router.get("/problems/{kind}", include_in_schema=False)
async def problem_type(kind: str) -> HTMLResponse:
    if kind not in KINDS:
        raise ApiProblem("not-found", f"no problem type {kind!r}")
    status, title = KINDS[kind]
    return HTMLResponse(
        f"<!doctype html><title>{title}</title><h1>{status} {title}</h1>"
        f"<p>Problem type <code>/problems/{kind}</code> of the regtimeline API. "
        "The <code>errors</code> member points at each cause.</p>"
    )
