"""Licence applications in the log (docs/events.md, "Write rules"): an application is pending
from its LicenseApplied until a licence naming it grants it, a denial with its id or a
withdrawal ends it. A licence may name only an application pending at the licence's date,
as currently known; a denial or withdrawal ends a pending application once, and not before
it was filed; a denial with a new id keeps its v1 meaning.

Known limitation, held here so that it changes only on purpose: the writer sees an
application's own aggregate, not the licences naming it, so a second grant of a granted
application, or an ending dated after its grant, is accepted; the fold keeps the first
outcome and lists the late ending as an anomaly.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.dealings_state import application_status
from domain.errors import DuplicateId, InvalidEvent
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import Body, MemoryLedger, pointers

APP = v2.APPLICATION
KEY = f"application:{APP}"
GRANT = {"application_id": APP}


def status(log: MemoryLedger, as_of: str) -> str:
    return application_status(log.world(as_of).objects[KEY])


def denial(effective_at: str = "2025-08-01") -> Body:
    return b.license_denied(APP, effective_at=effective_at)


# -- a grant names a pending application -------------------------------------------------------


def test_a_grant_of_a_pending_application_grants_it(log: MemoryLedger) -> None:
    log.record(v2.applied(effective_at="2025-07-15"))
    # at the filing instant: pending then, as currently known
    [grant] = log.record(b.license_granted(effective_at="2025-07-15", **GRANT))
    application = log.world("2025-07-15").objects[KEY]
    assert (application_status(application), application.ended_by) == ("granted", grant.event_id)


def test_a_grant_of_an_application_recorded_as_denied_is_refused(log: MemoryLedger) -> None:
    log.record(denial("2025-06-01"))  # v1: a denial with a new id records a denied application
    error = log.refusal(b.license_granted(**GRANT))
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/application_id"])
    assert error.detail == f"application '{APP}' is not pending: it was recorded as denied"


@pytest.mark.parametrize(
    ("ending", "effective_at"),
    [
        (v2.application_withdrawn, "2025-08-01"),
        (v2.application_withdrawn, "2025-08-11"),  # at the grant's instant
        (denial, "2025-08-01"),
    ],
    ids=["withdrawn before", "withdrawn at the same instant", "denied before"],
)
def test_a_grant_of_an_application_ended_by_then_is_refused(
    log: MemoryLedger, ending: Callable[..., Body], effective_at: str
) -> None:
    log.record(v2.applied(), ending(effective_at=effective_at))
    error = log.refusal(b.license_granted(effective_at="2025-08-11", **GRANT))
    assert pointers(error) == ["/data/application_id"]
    assert error.detail == f"application '{APP}' is not pending: {ending()['type']}"


def test_a_grant_before_the_application_was_filed_is_refused(log: MemoryLedger) -> None:
    log.record(v2.applied(effective_at="2025-07-15"))
    error = log.refusal(b.license_granted(effective_at="2025-07-14T23:59:59Z", **GRANT))
    assert pointers(error) == ["/data/application_id"]
    assert error.detail == f"application '{APP}' is filed only at 2025-07-15T00:00:00Z"


def test_a_grant_dated_before_a_later_withdrawal_is_accepted(log: MemoryLedger) -> None:
    """Pending at the grant's date, as currently known: the withdrawal comes after."""
    log.record(v2.applied(), v2.application_withdrawn(effective_at="2025-09-01"))
    log.record(b.license_granted(effective_at="2025-08-11", **GRANT))
    assert status(log, "2025-08-11") == "granted"
    # the withdrawal, after the grant ended the application, changes nothing: an anomaly
    world = log.world("2025-12-01")
    assert application_status(world.objects[KEY]) == "granted"
    assert [a.reason for a in world.anomalies] == ["after_terminal"]


def test_a_retracted_application_cannot_be_granted(log: MemoryLedger) -> None:
    [filed] = log.record(v2.applied())
    log.record(b.retraction(filed.event_id))
    error = log.refusal(b.license_granted(**GRANT))
    assert (pointers(error), error.detail) == (
        ["/data/application_id"],
        f"unknown application '{APP}': record it first",
    )
    log.record(b.correction(filed.event_id, effective_at="2025-07-16"))  # reinstated
    assert log.decide(b.license_granted(**GRANT)).data["application_id"] == APP


def test_a_second_grant_of_a_granted_application_is_not_refused(log: MemoryLedger) -> None:
    """The limitation of the module's docstring: the first grant keeps the application."""
    log.record(v2.applied(), b.license_granted(effective_at="2025-08-11", **GRANT))
    [second] = log.record(b.license_granted("second", effective_at="2025-08-20", **GRANT))
    application = log.world("2025-12-01").objects[KEY]
    assert application_status(application) == "granted"
    assert application.ended_by != second.event_id


# -- a denial or a withdrawal ends a pending application ---------------------------------------


def test_a_denial_naming_a_pending_application_ends_it(log: MemoryLedger) -> None:
    log.record(v2.applied())
    decided = log.decide(denial("2025-08-01"))
    assert decided.key == KEY and decided.type == "LicenseDenied"
    log.record(denial("2025-08-01"))
    assert log.dossier(KEY).version == 2
    assert (status(log, "2025-07-31"), status(log, "2025-08-01")) == ("pending", "denied")


def test_a_withdrawal_ends_a_pending_application(log: MemoryLedger) -> None:
    log.record(v2.applied(), v2.application_withdrawn(effective_at="2025-09-01"))
    assert (status(log, "2025-08-31"), status(log, "2025-09-01")) == ("pending", "withdrawn")


ENDINGS = {"withdrawal": v2.application_withdrawn, "denial": denial}


@pytest.mark.parametrize("then", ENDINGS.values(), ids=ENDINGS.keys())
@pytest.mark.parametrize("first", ENDINGS.values(), ids=ENDINGS.keys())
def test_an_application_ends_once(
    log: MemoryLedger, first: Callable[..., Body], then: Callable[..., Body]
) -> None:
    """Withdrawn twice, denied after a withdrawal, withdrawn after a denial: refused, at any
    date (correct the first ending instead), as a second terminal event."""
    log.record(v2.applied(), first(effective_at="2025-09-01"))
    for effective_at in ("2025-08-01", "2025-10-01"):
        error = log.refusal(then(effective_at=effective_at))
        assert (type(error), pointers(error)) == (InvalidEvent, ["/type"])
        assert error.detail == (
            f"application '{APP}' already ended by {first()['type']} at 2025-09-01T00:00:00Z"
        )


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_an_ending_before_the_application_was_filed_is_refused(
    log: MemoryLedger, ending: Callable[..., Body]
) -> None:
    log.record(v2.applied(effective_at="2025-07-15"))
    error = log.refusal(ending(effective_at="2025-07-14"))
    assert pointers(error) == ["/effective_at"]
    assert error.detail == (
        f"takes effect before application '{APP}' was filed (2025-07-15T00:00:00Z)"
    )
    assert log.decide(ending(effective_at="2025-07-15")).key == KEY


@pytest.mark.parametrize("ending", ENDINGS.values(), ids=ENDINGS.keys())
def test_an_ending_of_a_retracted_application_is_refused(
    log: MemoryLedger, ending: Callable[..., Body]
) -> None:
    [filed] = log.record(v2.applied())
    log.record(b.retraction(filed.event_id))
    error = log.refusal(ending(effective_at="2025-08-01"))
    assert pointers(error) == ["/data/application_id"]
    assert error.detail == f"application '{APP}' was retracted: record it anew under a new id"


def test_a_withdrawal_of_an_unknown_application_is_refused(log: MemoryLedger) -> None:
    log.record(v2.tariff(APP))  # a tariff of that id is no application
    error = log.refusal(v2.application_withdrawn())
    assert (type(error), pointers(error)) == (InvalidEvent, ["/data/application_id"])
    assert error.detail == f"unknown application '{APP}'"


def test_a_denial_recorded_with_its_own_id_cannot_be_withdrawn(log: MemoryLedger) -> None:
    log.record(denial("2025-06-01"))
    error = log.refusal(v2.application_withdrawn())
    assert pointers(error) == ["/type"]
    assert error.detail == f"application '{APP}' was denied when it was recorded: it is not pending"


def test_an_application_id_is_created_once(log: MemoryLedger) -> None:
    log.record(v2.applied())
    for again in (v2.applied(effective_at="2025-10-01"), v2.applied(licensee="amkor")):
        error = log.refusal(again)
        assert (type(error), pointers(error)) == (DuplicateId, ["/data/application_id"])
    log.record(b.license_denied("denied-v1", effective_at="2025-06-01"))
    assert type(log.refusal(v2.applied("denied-v1"))) is DuplicateId


def test_a_v1_denials_id_is_taken(log: MemoryLedger) -> None:
    log.record(denial("2025-06-01"))
    error = log.refusal(denial("2025-07-01"))
    assert (type(error), pointers(error)) == (DuplicateId, ["/data/application_id"])


def test_a_correction_may_name_an_application_that_is_not_pending(log: MemoryLedger) -> None:
    """Corrections are not held to lifecycle order: the application must be known, not
    pending (the fold leaves it as it is)."""
    log.record(v2.applied(), v2.application_withdrawn(effective_at="2025-08-01"))
    [granted] = log.record(b.license_granted(effective_at="2025-08-11"))
    data = b.license_granted(**GRANT)["data"]
    log.record(b.correction(granted.event_id, data=data))
    assert status(log, "2025-12-01") == "withdrawn"
