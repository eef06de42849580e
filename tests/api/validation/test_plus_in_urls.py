"""A `+` offset sent unencoded in a query arrives as a space: the 422 says to write %2B.

Every time parameter goes through domain.clocks.parse_instant, so the hint is given there
once; these tests take one parameter of each parse path (the coordinates, /v1/events).
"""

from __future__ import annotations

import pytest

from tests.support.events_api import Api
from tests.support.problems import assert_problem

UNENCODED = "2025-08-11T00:00:00+02:00"  # as typed into a shell or a browser's address bar
HINT = "a '+' in a URL must be written %2B (2025-08-11T00:00:00%2B02:00)"


@pytest.mark.parametrize(
    "url",
    [
        f"/v1/chips/h20?as_of={UNENCODED}",
        f"/v1/chips/h20?known_at={UNENCODED}",
        f"/v1/events?effective_from={UNENCODED}",
        f"/v1/events?recorded_before={UNENCODED}",
    ],
)
def test_an_unencoded_plus_gets_the_hint(api: Api, url: str) -> None:
    response = api.client.get(url)
    parameter = url.split("?")[1].split("=")[0]
    assert_problem(response, 422, "validation-error", parameter=parameter)
    assert HINT in response.json()["detail"]


def test_the_encoded_plus_is_accepted(api: Api) -> None:
    api.container.catch_up()  # the shared service registered h20 through the API
    response = api.client.get(f"/v1/chips/h20?as_of={UNENCODED.replace('+', '%2B')}")
    assert response.status_code == 200, response.text


def test_another_bad_time_gets_no_hint(api: Api) -> None:
    response = api.client.get("/v1/chips/h20?as_of=2025-08-11T00:00:00 bogus")
    assert response.status_code == 422 and "%2B" not in response.text
