"""The event envelope (docs/events.md, "The envelope"): one strict model per event type, a union on `type`."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model, model_validator
from pydantic_core import PydanticCustomError

from domain.catalog import CATALOG, Data
from domain.fields import Instant, Prose1000, Text100, Text300, literal_of, union_of

MAX_SOURCES = 20
_HTTP_URL = r"^https?://[^\s/?#]+[^\s]*$"


class Source(Data):
    url: Annotated[str, Field(max_length=2048, pattern=_HTTP_URL)] | None = None
    title: Text300 | None = None
    publisher: Text300 | None = None
    published_at: Instant | None = None

    @model_validator(mode="after")
    def _url_or_title(self) -> Source:
        if self.url is None and self.title is None:
            raise PydanticCustomError("source", "a source needs a url or a title")
        return self


class Envelope(BaseModel):
    """Fields every event shares; subclasses fix `type` and `data`."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    type: str
    effective_at: Instant | None = None
    reported_at: Instant | None = None
    summary: Prose1000 = ""
    sources: Annotated[list[Source], Field(max_length=MAX_SOURCES)] = []
    expected_version: Annotated[int, Field(ge=0)] | None = None
    data: Data


class ImportedEnvelope(BaseModel):
    """Extra fields an export carries: kept by `regtl load`, refused by the HTTP API."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    id: Annotated[UUID, Field(strict=False)] | None = None  # a UUID string in the file
    recorded_at: Instant | None = None
    recorded_by: Text100 | None = None
    position: int | None = None
    version: int | None = None
    schema_version: int | None = None


def _envelope_model(name: str, data_model: type[Data]) -> type[Envelope]:
    return create_model(
        f"{name}Event",
        __base__=Envelope,
        __doc__=f"A `{name}` event.",
        type=(literal_of(name), ...),
        data=(data_model, ...),
    )


ENVELOPES: dict[str, type[Envelope]] = {
    name: _envelope_model(name, t.model) for name, t in CATALOG.items()
}
AnyEnvelope: Any = Annotated[union_of(ENVELOPES.values()), Field(discriminator="type")]
ENVELOPE_ADAPTER: TypeAdapter[Envelope] = TypeAdapter(AnyEnvelope)
