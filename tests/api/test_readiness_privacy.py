"""/readyz with REGTL_PUBLIC_READS=false: an anonymous probe learns ready or not, no more;
the log head and the projection lag are reads, for a key with the read scope
(docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

from domain.clocks import utc_now
from tests.support import builders as b
from tests.support.events_api import open_api
from tests.support.problems import assert_problem


def test_an_anonymous_probe_sees_only_the_status(tmp_path: Path) -> None:
    with open_api("sqlite", tmp_path, None, public_reads=False) as api:
        api.stored(b.company("nvidia"))
        anonymous = api.client.get("/readyz")
        assert anonymous.status_code == 200
        assert anonymous.json() == {"status": "ready"}


def test_a_read_key_sees_the_details(tmp_path: Path) -> None:
    with open_api("sqlite", tmp_path, None, public_reads=False) as api:
        api.stored(b.company("nvidia"))
        token = api.container.keys.create("read", "probe", utc_now())[1]
        body = api.client.get("/readyz", headers={"Authorization": f"Bearer {token}"}).json()
        assert body["log_head"] == api.container.log.head() and body["database"] == "ok"
        assert "views" in body["projections"]


def test_a_bad_key_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    with open_api("sqlite", tmp_path, None, public_reads=False) as api:
        response = api.client.get("/readyz", headers={"Authorization": "Bearer rtl_x_y"})
        assert_problem(response, 401, "unauthorized", header="Authorization")


def test_public_reads_keep_the_details_for_everyone(tmp_path: Path) -> None:
    with open_api("sqlite", tmp_path, None) as api:
        assert "log_head" in api.client.get("/readyz").json()
