"""Filtered lists of chips and companies at (T, K, P), and of objects at `as_of`, paginated
by id (docs/state.md, "Lists").

A page is built by folding each candidate's state and keeping those that match: a page can
hold fewer than `limit` items when few match (at most SCAN_BUDGET candidates are examined
per request); follow `next` until it is null. Chip and company lists take the full
coordinates, so "which chips were banned for CN, as known on 1 January 2024" is one request;
object lists take `as_of` only (read the object itself at K and P).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.ids import check_jurisdiction, check_slug
from domain.objects import KINDS, is_current
from projections.projector import active_tables
from projections.state_queries import Reading, object_ids, registered_ids
from services.api.coordinates import SHORT, resolve
from services.api.params import optional_id, parse_integer
from services.api.problems import ApiProblem, one_of
from services.api.responses import cached_json
from services.bootstrap import Container
from services.read.pit import Coordinates

SCAN_BUDGET = 2000
CHUNK = 200
STATUSES = ("banned", "license_required", "licensed", "unrestricted")
COMMON = {"as_of", "after", "limit", "min_position"}
KNOWLEDGE = {"known_at", "at_position"}  # K and P: chip and company lists only
FILTERS = {
    "chip": COMMON | KNOWLEDGE | {"destination", "status", "manufacturer"},
    "company": COMMON | KNOWLEDGE | {"country"},
    "object": COMMON | {"jurisdiction", "in_force"},
}


def _params(request: Request, allowed: set[str]) -> dict[str, str]:
    params = dict(request.query_params)
    for name in sorted(KNOWLEDGE - allowed):
        if name in params:
            raise ApiProblem(
                "validation-error",
                f"object lists take as_of only; for {name}, read the item itself "
                f"({request.url.path}/{{id}}?{name}=…)",
                [{"detail": "not accepted on lists", "parameter": name}],
            )
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ApiProblem(
            "validation-error",
            f"unknown parameter {unknown[0]!r}",
            [{"detail": "unknown parameter", "parameter": n} for n in unknown],
        )
    return params


def _checked(name: str, value: str | None, check: Callable[[str], str]) -> str | None:
    if value is None:
        return None
    try:
        return check(value)
    except ValueError as error:
        raise ApiProblem(
            "validation-error", f"{name}: {error}", [{"detail": str(error), "parameter": name}]
        ) from None


def _limit(value: str | None) -> int:
    limit = 100 if value is None else parse_integer("limit", value)
    if not 1 <= limit <= 1000:
        raise ApiProblem(
            "validation-error",
            "limit must be 1 to 1000",
            [{"detail": "1 to 1000", "parameter": "limit"}],
        )
    return limit


def _chip_matcher(params: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    destination = _checked("destination", params.get("destination"), check_jurisdiction)
    status = params.get("status")
    if status is not None and status not in STATUSES:
        raise ApiProblem(
            "validation-error",
            f"status must be one of {', '.join(STATUSES)}",
            [{"detail": "unknown status", "parameter": "status"}],
        )
    manufacturer = _checked("manufacturer", params.get("manufacturer"), check_slug)

    def matches(state: dict[str, Any]) -> bool:
        if manufacturer is not None and state["manufacturer"] != manufacturer:
            return False
        export = state["export"]
        statuses = (
            ({export[destination]["status"]} if destination in export else {"unrestricted"})
            if destination
            else {e["status"] for e in export.values()}
        )
        if status is None:
            return destination is None or destination in export
        return status in statuses or (status == "unrestricted" and not destination and not export)

    return matches


def _company_matcher(params: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    country = _checked("country", params.get("country"), check_jurisdiction)
    return lambda state: country is None or state["country"] == country


def _object_matcher(params: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    jurisdiction = _checked("jurisdiction", params.get("jurisdiction"), check_jurisdiction)
    in_force = one_of("in_force", params.get("in_force"), ("true", "false"))

    def matches(view: dict[str, Any]) -> bool:
        if jurisdiction is not None and view.get("jurisdiction") != jurisdiction:
            return False
        return in_force is None or is_current(view["status"]) == (in_force == "true")

    return matches


def _scan(
    container: Container,
    ids: Callable[[Any, str | None], list[str]],
    fold: Callable[[Any, str], dict[str, Any] | None],
    matches: Callable[[dict[str, Any]], bool],
    after: str | None,
    limit: int,
) -> tuple[list[dict[str, Any]], str | None]:
    items: list[dict[str, Any]] = []
    cursor, scanned = after, 0
    with container.engine.connect() as conn:
        while scanned < SCAN_BUDGET:
            chunk = ids(conn, cursor)
            if not chunk:
                return items, None
            for candidate in chunk:
                scanned, cursor = scanned + 1, candidate
                view = fold(conn, candidate)
                if view is not None and matches(view):
                    items.append(view)
                    if len(items) == limit:
                        return items, candidate
    return items, cursor


def _page(
    request: Request,
    items: list[dict[str, Any]],
    nxt: str | None,
    at: Coordinates,
    cache_control: str = SHORT,
) -> Response:
    from projections.canonical import dumps

    page = {"items": items, "next": nxt, **at.echo()}
    headers = {"Cache-Control": cache_control}
    if nxt is not None:
        url = request.url.remove_query_params("min_position").include_query_params(after=nxt)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    # docs/http.md: the weak ETag covers the answer without its position (as for one item).
    without_position = {k: v for k, v in page.items() if k != "position"}
    return cached_json(request, dumps(page), headers=headers, etag_body=dumps(without_position))


def _strip(view: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in view.items() if k not in ("as_of", "known_at", "position")}


async def list_subjects(request: Request, container: Container, kind: str) -> Response:
    params = _params(request, FILTERS[kind])
    matches = _chip_matcher(params) if kind == "chip" else _company_matcher(params)
    limit, after = _limit(params.get("limit")), optional_id("after", params.get("after"))
    resolved = await resolve(
        container,
        params.get("as_of"),
        params.get("known_at"),
        params.get("at_position"),
        params.get("min_position"),
    )
    at = resolved.at

    def ids(conn: Any, cursor: str | None) -> list[str]:
        return registered_ids(conn, active_tables(conn), kind, cursor, CHUNK, at.position)

    def fold(conn: Any, subject: str) -> dict[str, Any] | None:
        view = container.pit.state(Reading(conn=conn), kind, subject, at)
        return None if view is None else _strip(view)

    items, nxt = await asyncio.to_thread(_scan, container, ids, fold, matches, after, limit)
    # docs/http.md, "Caching": with T, K and P explicit, the page never changes
    return _page(request, items, nxt, at, resolved.cache_control)


async def list_objects(request: Request, container: Container, segment: str) -> Response:
    params = _params(request, FILTERS["object"])
    matches = _object_matcher(params)
    limit, after = _limit(params.get("limit")), optional_id("after", params.get("after"))
    resolved = await resolve(container, params.get("as_of"), None, None, params.get("min_position"))
    at, kind = resolved.at, KINDS[segment][0]

    def ids(conn: Any, cursor: str | None) -> list[str]:
        return [
            i for i, _ in object_ids(conn, active_tables(conn), kind, cursor, CHUNK, at.position)
        ]

    def fold(conn: Any, object_id: str) -> dict[str, Any] | None:
        view = container.pit.object(Reading(conn=conn), segment, object_id, at)
        return None if view is None else _strip(view)

    items, nxt = await asyncio.to_thread(_scan, container, ids, fold, matches, after, limit)
    return _page(request, items, nxt, at)
