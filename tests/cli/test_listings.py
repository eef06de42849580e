"""Listings print whole values when piped (rich cut ids to 9 characters) and JSON with --json."""

from __future__ import annotations

import json

from tests.conftest import Backend
from tests.support.cli import one_error_line, regtl

KEY_FIELDS = {
    "id",
    "name",
    "scope",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "revoked",
}


def _create(backend: Backend, *args: str) -> str:
    result = regtl(backend.settings, "keys", "create", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split("_")[1]


def test_piped_keys_list_is_whole_tab_separated_rows_that_revoke_takes(
    sqlite_backend: Backend,
) -> None:
    long_name = "the nightly ingest job of the regulatory data team"
    key_id = _create(
        sqlite_backend, "--scope", "write", "--name", long_name, "--expires", "2999-12-31"
    )
    listed = regtl(sqlite_backend.settings, "keys", "list")
    header, row = listed.stdout.splitlines()
    assert header.split("\t") == [
        "id",
        "name",
        "scope",
        "created",
        "expires",
        "revoked",
        "last_used",
    ]
    fields = row.split("\t")
    assert fields[:3] == [key_id, long_name, "write"] and fields[4] == "3000-01-01T00:00:00Z"
    assert regtl(sqlite_backend.settings, "keys", "revoke", fields[0]).exit_code == 0


def test_keys_list_json(sqlite_backend: Backend) -> None:
    live = _create(sqlite_backend, "--scope", "read", "--name", "reader")
    gone = _create(sqlite_backend, "--scope", "admin")
    regtl(sqlite_backend.settings, "keys", "revoke", gone)
    listed = regtl(sqlite_backend.settings, "keys", "list", "--json")
    keys = {k["id"]: k for k in json.loads(listed.stdout)}
    assert set(keys) == {live, gone} and all(set(k) == KEY_FIELDS for k in keys.values())
    assert keys[live]["name"] == "reader" and keys[live]["scope"] == "read"
    assert keys[live]["revoked"] is False and keys[live]["revoked_at"] is None
    assert keys[gone]["revoked"] is True and keys[gone]["revoked_at"].endswith("Z")
    assert keys[live]["created_at"].endswith("Z") and keys[live]["expires_at"] is None


def test_an_empty_listing_is_an_empty_array(sqlite_backend: Backend) -> None:
    assert json.loads(regtl(sqlite_backend.settings, "keys", "list", "--json").stdout) == []


def test_an_expiry_in_the_past_is_refused_and_makes_no_key(sqlite_backend: Backend) -> None:
    result = regtl(
        sqlite_backend.settings, "keys", "create", "--scope", "read", "--expires", "2020-01-01"
    )
    line = one_error_line(result.stderr, result.exit_code)
    assert "--expires 2020-01-01 is in the past" in line and result.stdout == ""
    assert json.loads(regtl(sqlite_backend.settings, "keys", "list", "--json").stdout) == []


def test_projections_status_json(sqlite_backend: Backend) -> None:
    shown = regtl(sqlite_backend.settings, "projections", "status", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert json.loads(shown.stdout) == {
        "head": 0,
        "active": "a",
        "rebuilding": None,
        "started_at": None,
        "generations": [
            {"generation": "a", "role": "active", "checkpoint": 0},
            {"generation": "b", "role": "inactive", "checkpoint": 0},
        ],
    }
