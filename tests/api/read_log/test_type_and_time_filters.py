"""GET /v1/events?type=…, effective_from/effective_to and recorded_before: the log filtered
by event type, by valid time and by record time."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.read_log import Stored, assert_parameter_problem, get, items, names, write

# -- filters: type -----------------------------------------------------------------------


def test_type_filters_by_repeated_parameters(client: TestClient, log: Stored) -> None:
    listed = items(client, "?type=LicenseGranted&type=ExportBanLifted")
    assert names(log, listed) == ["granted", "lifted"]


def test_type_filters_by_a_comma_separated_list(client: TestClient, log: Stored) -> None:
    listed = items(client, "?type=LicenseGranted,ExportBanLifted")
    assert names(log, listed) == ["granted", "lifted"]


def test_an_unknown_type_is_refused(client: TestClient, log: Stored) -> None:
    assert_parameter_problem(get(client, "?type=LicenseGranted,LicenceGranted"), "type")


# -- filters: valid time and record time -------------------------------------------------


def test_effective_from_a_bare_date_starts_at_that_days_start(
    client: TestClient, log: Stored
) -> None:
    # the amendment takes effect at 2025-05-01T00:00:00Z
    assert names(log, items(client, "?effective_from=2025-05-01&type=ExportBanAmended")) == [
        "amended"
    ]
    assert names(log, items(client, "?effective_from=2025-05-02&type=ExportBanAmended")) == []


def test_effective_to_a_bare_date_runs_to_that_days_end(client: TestClient, log: Stored) -> None:
    # the licence takes effect at 2025-08-11T18:00:00Z
    assert names(log, items(client, "?effective_to=2025-08-11&type=LicenseGranted")) == ["granted"]
    assert names(log, items(client, "?effective_to=2025-08-10&type=LicenseGranted")) == []


def test_an_effective_range_keeps_what_takes_effect_inside_it(
    client: TestClient, log: Stored
) -> None:
    listed = items(client, "?effective_from=2025-05-01&effective_to=2025-10-01")
    assert names(log, listed) == ["amended", "granted", "halted", "revoked"]


def test_effective_bounds_take_timestamps_with_offsets(client: TestClient, log: Stored) -> None:
    query = "?effective_from=2025-08-11T20:00:00%2B02:00&effective_to=2025-08-11T18:00:00Z"
    assert names(log, items(client, query)) == ["granted"]


def test_an_effective_bound_must_be_a_time(
    client: TestClient, log: Stored, subtests: pytest.Subtests
) -> None:
    for query, parameter in (
        ("?effective_from=yesterday", "effective_from"),
        ("?effective_to=2025-08-11T18:00:00", "effective_to"),
        ("?recorded_before=2025-02-30", "recorded_before"),
    ):
        with subtests.test(query):
            assert_parameter_problem(get(client, query), parameter)


def test_recorded_before_excludes_what_was_recorded_at_or_after_it(
    client: TestClient, write_headers: dict[str, str], container: Container, clock: FakeClock
) -> None:
    early = write(client, write_headers, b.company("nvidia"))
    clock.advance(hours=1)
    late = write(client, write_headers, b.company("amkor"))
    container.catch_up()
    assert [e["id"] for e in items(client, f"?recorded_before={late['recorded_at']}")] == [
        early["id"]
    ]
    just_after = late["recorded_at"].replace("Z", ".000001Z")
    assert [e["id"] for e in items(client, f"?recorded_before={just_after}")] == [
        early["id"],
        late["id"],
    ]
