"""Query parameters of GET /v1/events, validated strictly, and the page they produce."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from domain.catalog import CATALOG
from domain.clocks import DateRole, parse_instant, to_micros
from domain.ids import check_slug
from projections.event_queries import EventFilter, list_events
from services.api.params import Integer
from services.api.responses import cached_json
from services.bootstrap import Container


def _instant(role: DateRole) -> BeforeValidator:
    return BeforeValidator(lambda v: None if v is None else parse_instant(v, role))


TIME = "RFC 3339 with an offset, or a bare UTC date"


class EventQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Integers follow the one rule (services/api/params.py): ASCII digits up to a BIGINT.
    after: Annotated[
        Integer,
        Field(description="Cursor: events after this position (the `next` of the previous page)."),
    ] = 0
    limit: Annotated[Integer, Field(ge=1, le=1000, description="Events per page, 1 to 1000.")] = 100
    type: list[str] = Field(
        default_factory=list,
        description="Only these event types (repeat the parameter or separate with commas).",
    )
    chip: Annotated[
        str | None,
        BeforeValidator(lambda v: None if v is None else check_slug(v)),
        Field(
            description="Only events that concern this chip: the events of every object "
            "(measure, licence, application, tariff, announcement …) that had named it by "
            "then, with their revisions, and the events of the destination groups such an "
            "object names (DestinationGroupDefined, DestinationGroupAmended), once each, "
            "from when it names both. By name only: coverage by criteria does not count."
        ),
    ] = None
    company: Annotated[
        str | None,
        BeforeValidator(lambda v: None if v is None else check_slug(v)),
        Field(
            description="Only events that concern this company: the events of every object "
            "that had named it by then (as end user, licensee, party, owner or owned …), "
            "with their revisions, and the events of the destination groups such an object "
            "names, once each, from when it names both. By name only: affiliates reached "
            "through ownership do not count."
        ),
    ] = None
    effective_from: Annotated[
        datetime | None,
        _instant(DateRole.START),
        Field(description=f"Only events effective from then: {TIME}."),
    ] = None
    effective_to: Annotated[
        datetime | None,
        _instant(DateRole.END),
        Field(
            description=f"Only events effective until then: {TIME}; a bare date includes that day."
        ),
    ] = None
    # "before": a bare date means before that day starts.
    recorded_before: Annotated[
        datetime | None,
        _instant(DateRole.START),
        Field(description=f"Only events stored before then: {TIME}."),
    ] = None
    min_position: Integer | None = None

    @field_validator("type", mode="after")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        names = [n.strip() for item in value for n in item.split(",") if n.strip()]
        unknown = [n for n in names if n not in CATALOG]
        if unknown:
            raise ValueError(f"unknown event type {unknown[0]!r}")
        return names

    def to_filter(self) -> EventFilter:
        def us(moment: datetime | None) -> int | None:
            return None if moment is None else to_micros(moment)

        return EventFilter(
            tuple(self.type),
            self.chip,
            self.company,
            us(self.effective_from),
            us(self.effective_to),
            us(self.recorded_before),
        )


def list_events_response(request: Request, container: Container, query: EventQuery) -> Response:
    with container.engine.connect() as conn:
        page = list_events(conn, query.to_filter(), query.after, query.limit)
    nxt = None if page.next_after is None else str(page.next_after)
    body = (
        b'{"items":['
        + b",".join(page.bodies)
        + b'],"next":'
        + (b"null" if nxt is None else b'"' + nxt.encode() + b'"')
        + b"}"
    )
    headers = {}
    if nxt is not None:
        url = request.url.remove_query_params("min_position").include_query_params(after=nxt)
        headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return cached_json(request, body, headers=headers)
