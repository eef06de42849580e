"""The building blocks of the catalog's payloads (docs/events.md, "The catalog"): the strict
base every `data` model derives from, a chip's specs and the coverage criteria of a measure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from domain.fields import Figure, Prose1000, Text100

SPEC_NAMES = ("tpp", "performance_density", "memory_bandwidth_gbps", "interconnect_gbps", "hbm_gb")
Authority = Text100
Reason = Prose1000


class Data(BaseModel):
    """Base of every payload: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Figures(Data):
    """A bag of optional figures: absent ones are left out when stored, not stored as null."""

    @model_serializer(mode="wrap")
    def _drop_absent(self, handler: Any) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class Specs(Figures):
    tpp: Figure | None = None
    performance_density: Figure | None = None
    memory_bandwidth_gbps: Figure | None = None
    interconnect_gbps: Figure | None = None
    hbm_gb: Figure | None = None


class Clause(Figures):
    """Thresholds that must all be met; a chip matching any clause is covered."""

    tpp_min: Figure | None = None
    performance_density_min: Figure | None = None
    memory_bandwidth_gbps_min: Figure | None = None
    interconnect_gbps_min: Figure | None = None
    hbm_gb_min: Figure | None = None

    @model_validator(mode="after")
    def _has_a_threshold(self) -> Clause:
        if not self.model_fields_set:
            raise PydanticCustomError("clause", "a clause needs at least one <spec>_min key")
        return self


Criteria = Annotated[list[Clause], Field(max_length=16)]
Control = Literal["ban", "license_required"]
