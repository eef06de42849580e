"""The building blocks of the catalog's payloads (docs/events.md, "The catalog"): the strict
base every `data` model derives from, a chip's specs and the coverage criteria of a measure."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_serializer, model_validator
from pydantic_core import PydanticCustomError

from domain.fields import Figure, Prose1000, Text100

SPEC_NAMES = (
    "tpp",
    "performance_density",
    "memory_bandwidth_gbps",
    "interconnect_gbps",
    "hbm_gb",
    "process_node_nm",
    "memory_bandwidth_density",
)
# A clause's key is <spec><suffix>: at least (v1), more than, at most, less than
# (docs/events.md, "Criteria").
BOUNDS = {"_min": "ge", "_gt": "gt", "_max": "le", "_lt": "lt"}
Authority = Text100
Reason = Prose1000


class Data(BaseModel):
    """Base of every payload: strict types, unknown fields refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class StatedOnly(Data):
    """A payload whose catalog v2 fields (`V2_FIELDS`) are stored only when given (not null,
    not empty), so that a v1 event is stored, echoed and exported exactly as before
    (docs/events.md, "Catalog v2")."""

    V2_FIELDS: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _drop_unstated(self, handler: Any) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        for name in self.V2_FIELDS:
            if dumped.get(name) in (None, []):
                dumped.pop(name, None)
        return dumped


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
    process_node_nm: Figure | None = None
    memory_bandwidth_density: Figure | None = None  # GB/s per mm² of die


class Clause(Figures):
    """Thresholds that must all be met; a chip matching any clause is covered. Each spec of
    SPEC_NAMES may be bounded by each suffix of BOUNDS (tests/unit hold the two in step)."""

    tpp_min: Figure | None = None
    tpp_gt: Figure | None = None
    tpp_max: Figure | None = None
    tpp_lt: Figure | None = None
    performance_density_min: Figure | None = None
    performance_density_gt: Figure | None = None
    performance_density_max: Figure | None = None
    performance_density_lt: Figure | None = None
    memory_bandwidth_gbps_min: Figure | None = None
    memory_bandwidth_gbps_gt: Figure | None = None
    memory_bandwidth_gbps_max: Figure | None = None
    memory_bandwidth_gbps_lt: Figure | None = None
    interconnect_gbps_min: Figure | None = None
    interconnect_gbps_gt: Figure | None = None
    interconnect_gbps_max: Figure | None = None
    interconnect_gbps_lt: Figure | None = None
    hbm_gb_min: Figure | None = None
    hbm_gb_gt: Figure | None = None
    hbm_gb_max: Figure | None = None
    hbm_gb_lt: Figure | None = None
    process_node_nm_min: Figure | None = None
    process_node_nm_gt: Figure | None = None
    process_node_nm_max: Figure | None = None
    process_node_nm_lt: Figure | None = None
    memory_bandwidth_density_min: Figure | None = None
    memory_bandwidth_density_gt: Figure | None = None
    memory_bandwidth_density_max: Figure | None = None
    memory_bandwidth_density_lt: Figure | None = None

    @model_validator(mode="after")
    def _has_a_threshold(self) -> Clause:
        # A key sent as null is no threshold: `{"tpp_min": null}` would be stored as `{}`.
        if all(getattr(self, name) is None for name in self.model_fields_set):
            raise PydanticCustomError(
                "clause",
                "a clause needs at least one <spec>_min, _gt, _max or _lt key with a value",
            )
        return self


Criteria = Annotated[list[Clause], Field(max_length=16)]
Control = Literal["ban", "license_required"]
ReviewPolicy = Literal[
    "policy_of_denial", "presumption_of_denial", "case_by_case", "presumption_of_approval"
]
# Most restrictive first (docs/state.md, "Export status").
REVIEW_POLICIES: tuple[str, ...] = get_args(ReviewPolicy)
