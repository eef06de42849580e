"""GET /v1/groups/{id} over HTTP, on both backends (docs/api.md, "Answers"): a group is a 404
only when no definition of it is known at (K, P); defined after T it is answered, pending."""

from __future__ import annotations

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid


def test_a_group_defined_after_t_is_answered_as_pending(api: Api) -> None:
    group = uid("grp")
    api.given(v2.group(group, ["CN", "MO"], "2025-01-01"))
    api.container.catch_up()
    before = api.ok(f"/v1/groups/{group}", as_of="2024-06-01")
    after = api.ok(f"/v1/groups/{group}", as_of="2025-06-01")
    assert (before["status"], after["status"]) == ("pending", "defined")
    assert after["members"] == ["CN", "MO"]


def test_an_unknown_group_is_a_404_naming_it(api: Api) -> None:
    assert_problem(api.get(f"/v1/groups/{uid('grp')}"), 404, "not-found", parameter="group_id")


def test_a_group_not_yet_reported_at_k_is_a_404(api: Api) -> None:
    group = uid("grp")
    api.given(v2.group(group, ["CN"], "2025-01-01") | {"reported_at": "2025-03-01"})
    api.container.catch_up()
    assert api.get(f"/v1/groups/{group}", known_at="2025-02-01").status_code == 404
    assert api.ok(f"/v1/groups/{group}", known_at="2025-03-01")["members"] == ["CN"]


def test_a_retracted_group_is_a_404(api: Api) -> None:
    group = uid("grp")
    [defined] = api.given(v2.group(group, ["CN"], "2025-01-01"))
    api.given(b.retraction(defined["id"]))
    api.container.catch_up()
    assert_problem(api.get(f"/v1/groups/{group}"), 404, "not-found", parameter="group_id")
