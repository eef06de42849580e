"""GET /v1/checks/export (docs/checks.md): may E export C to D (for U) at T, as known at K,
and why. Decision support, not legal advice."""

# No `from __future__ import annotations`: FastAPI reads the parameters' annotations.

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from domain.export_check import NotRegistered, Question
from domain.ids import GROUP_PREFIX, check_jurisdiction
from services.api.contract import REF, STATE, answer, check_query, merged, query
from services.api.coordinates import resolve
from services.api.deps import ContainerDep, Reader
from services.api.problems import ApiProblem
from services.api.routes.reads import canonical_answer, refuse_unknown, run_read, subject_slug
from services.api.schemas.checks import ExportCheck

router = APIRouter(prefix="/v1", tags=["checks"])
Param = Annotated[str | None, Query()]
CHECK_PARAMS = frozenset(
    {"chip", "destination", "exporter", "end_user", "as_of", "known_at", "at_position"}
    | {"min_position"}
)
DESCRIPTION = """May `exporter` ship `chip` to `destination` (for `end_user`) at `as_of`, as
known at `known_at`, and why: per exporting jurisdiction, the measures in force that
restrict the shipment and the exporter's licences that clear them, the decision, the review
policy, and every reason with the events and sources it rests on; beside it the duties,
revenue shares, the destination's advisories, pending applications, suspended measures,
announcements, upcoming changes and the clauses the chip could not be checked against.

**Decision support, not legal advice**: the answer is only as complete as the recorded
events, and it is no licence determination (docs/checks.md)."""
NOT_REGISTERED = {
    "description": "the chip, exporter or end user is not registered at that position "
    "(`errors[].parameter` names which)",
    "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}},
}


def _required(chip: str | None, destination: str | None) -> tuple[str, str]:
    if chip is None or destination is None:
        missing = [n for n, v in (("chip", chip), ("destination", destination)) if v is None]
        raise ApiProblem(
            "validation-error",
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required",
            [{"detail": "required", "parameter": name} for name in missing],
        )
    return chip, destination


def _destination(value: str) -> str:
    """An ISO code (or EU); a group is refused: a check is about one country."""
    if value.startswith(GROUP_PREFIX):
        detail = "a group is not a destination here: ask for one of its members' ISO codes"
    else:
        try:
            return check_jurisdiction(value)
        except ValueError as error:
            detail = str(error)
    raise ApiProblem(
        "validation-error",
        f"destination: {detail}",
        [{"detail": detail, "parameter": "destination"}],
    )


def _not_registered(missing: NotRegistered) -> ApiProblem:
    kind = "chip" if missing.parameter == "chip" else "company"
    return ApiProblem(
        "not-found",
        f"no {kind} {missing.subject!r} is registered at that position ({missing.parameter})",
        [{"detail": "not registered", "parameter": missing.parameter}],
    )


@router.get(
    "/checks/export",
    operation_id="checkExport",
    summary="The export check: may the exporter ship the chip to the destination, and why "
    "(decision support, not legal advice)",
    description=DESCRIPTION,
    responses={**answer(ExportCheck), 404: NOT_REGISTERED},
    openapi_extra=merged(check_query(), query(*STATE)),
)
async def export_check(
    request: Request,
    container: ContainerDep,
    _: Reader,
    chip: Param = None,
    destination: Param = None,
    exporter: Param = None,
    end_user: Param = None,
    as_of: Param = None,
    known_at: Param = None,
    at_position: Param = None,
    min_position: Param = None,
) -> Response:
    refuse_unknown(request, CHECK_PARAMS)
    chip, destination = _required(chip, destination)
    question = Question(
        subject_slug("chip", chip),
        _destination(destination),
        None if exporter is None else subject_slug("exporter", exporter),
        None if end_user is None else subject_slug("end_user", end_user),
    )
    resolved = await resolve(container, as_of, known_at, at_position, min_position)
    body: Any = await run_read(container, container.pit.check, question, resolved.at)
    if isinstance(body, NotRegistered):
        raise _not_registered(body)
    return canonical_answer(request, body, resolved.cache_control)
