"""The catalog v2 example of docs/examples-v2.md is true of the running service.

The test reads the page: it posts the batch marked `<!-- example-events -->` over HTTP, on
SQLite and on PostgreSQL, and checks every fragment marked
`<!-- example-answer: <request> #<JSON Pointer> -->` against the answer to that request.
So the page cannot show an event the test does not post, nor an answer the service does
not give. The fake clock stands at 2026-01-15T12:00Z, after every report in the example
("today's knowledge", as on the page).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.support import postgres
from tests.support.events_api import Api, open_api

PAGE = Path(__file__).resolve().parents[3] / "docs" / "examples-v2.md"
_EVENTS = re.compile(r"<!-- example-events -->\s*```json\n(.*?)```", re.S)
_ANSWER = re.compile(r"<!-- example-answer: (\S+) #(\S*) -->\s*```json\n(.*?)```", re.S)


def _page() -> str:
    return PAGE.read_text(encoding="utf-8")


def _events() -> dict[str, Any]:
    found = _EVENTS.findall(_page())
    assert len(found) == 1, "docs/examples-v2.md has one example-events block"
    body: dict[str, Any] = json.loads(found[0])
    return body


ANSWERS = [
    (request, pointer, json.loads(shown)) for request, pointer, shown in _ANSWER.findall(_page())
]


def _at(document: Any, pointer: str) -> Any:
    """The value a JSON Pointer (RFC 6901) names."""
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        document = document[int(token)] if isinstance(document, list) else document[token]
    return document


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def example(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    """A service holding exactly the page's events (the tests only read)."""
    with open_api(request.param, tmp_path_factory.mktemp("catalog-v2"), pg_farm) as api:
        response = api.post(_events(), path="/v1/events/batch")
        assert (response.status_code, response.headers["Regtl-Schema"]) == (201, "2"), response.text
        api.container.catch_up()
        yield api


def test_the_page_shows_the_events_and_answers_the_test_reads() -> None:
    events = _events()["events"]
    assert [e["type"] for e in events].count("ExportBanImposed") == 2
    assert len(ANSWERS) >= 15


def test_every_event_is_stored(example: Api) -> None:
    stored = example.ok("/v1/events", limit=1000)["items"]
    assert [e["type"] for e in stored] == [e["type"] for e in _events()["events"]]


@pytest.mark.parametrize(
    ("request_", "pointer", "shown"),
    ANSWERS,
    ids=[f"{request}#{pointer}" for request, pointer, _ in ANSWERS],
)
def test_the_page_shows_the_answer_the_service_gives(
    example: Api, request_: str, pointer: str, shown: Any
) -> None:
    parts = urlsplit(request_)
    response = example.get(parts.path, **dict(parse_qsl(parts.query)))
    assert response.status_code == 200, response.text
    assert response.headers["Regtl-Schema"] == "2"
    assert _at(response.json(), pointer) == shown


# -- what the page says in words, checked once more on the whole answers -------------------


def test_the_january_2026_rule_changes_the_policy_not_the_status(example: Api) -> None:
    before = example.ok("/v1/chips/h200", as_of="2026-01-14")["export"]["CN"]
    after = example.ok("/v1/chips/h200", as_of="2026-01-15")["export"]["CN"]
    assert (before["status"], before["review_policy"]) == (
        "license_required",
        "presumption_of_denial",
    )
    assert {k: v for k, v in after.items() if k != "review_policy"} == {
        k: v for k, v in before.items() if k != "review_policy"
    }
    assert after["review_policy"] == "case_by_case"


def test_only_the_destinations_the_example_records_are_restricted(example: Api) -> None:
    assert sorted(example.ok("/v1/chips/h200", as_of="2026-01-15")["export"]) == ["CN", "MO"]


def test_nothing_restricts_the_h200_before_the_october_2023_rule(example: Api) -> None:
    state = example.ok("/v1/chips/h200", as_of="2023-11-16")
    assert (state["export"], state["upcoming"][0]) == (
        {},
        {
            "effective_at": "2023-11-17T00:00:00Z",
            "kind": "ExportBanImposed",
            "id": "bis-2023-10-17-acs",
        },
    )


def test_the_suspension_ends_by_itself_on_the_day_after_until(example: Api) -> None:
    last_day = example.ok("/v1/chips/h200", as_of="2026-11-09")
    assert [m["measure_id"] for m in last_day["suspended_measures"]] == ["bis-2025-09-affiliates"]
    assert last_day["end_user_restrictions"] == []
    assert example.ok("/v1/measures/bis-2025-09-affiliates", as_of="2026-11-10")["status"] == (
        "in_force"
    )


def test_the_group_is_listed_with_its_members(example: Api) -> None:
    page = example.ok("/v1/groups", as_of="2026-01-15")
    assert [(g["group_id"], g["members"], g["status"]) for g in page["items"]] == [
        ("ear-d5", ["CN"], "defined")
    ]


def test_a_revalidated_answer_carries_the_schema_version_too(example: Api) -> None:
    first = example.get("/v1/groups/ear-d5", as_of="2026-01-15")
    again = example.get(
        "/v1/groups/ear-d5", {"If-None-Match": first.headers["ETag"]}, as_of="2026-01-15"
    )
    assert (again.status_code, again.headers["Regtl-Schema"]) == (304, "2")
