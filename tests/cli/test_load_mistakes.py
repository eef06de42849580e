"""`regtl load FILE` with a file that cannot be loaded: one line naming the place, nothing stored."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Backend
from tests.support import builders as b
from tests.support.cli import one_error_line, regtl
from tests.support.service import open_service


def _stored(backend: Backend) -> list[dict[str, Any]]:
    result = regtl(backend.settings, "export")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def _refused(backend: Backend, path: Path) -> str:
    result = regtl(backend.settings, "load", str(path))
    line = one_error_line(result.stderr, result.exit_code)
    assert _stored(backend) == []
    return line


def _ndjson(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_directory(sqlite_backend: Backend, tmp_path: Path) -> None:
    line = _refused(sqlite_backend, tmp_path)
    assert line == f"error: {tmp_path} is a directory: give a JSON or NDJSON file"


def test_a_missing_file(sqlite_backend: Backend, tmp_path: Path) -> None:
    line = _refused(sqlite_backend, tmp_path / "nope.json")
    assert "nope.json does not exist: give a JSON or NDJSON file" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file(sqlite_backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "secret.json"
    path.write_text("[]")
    path.chmod(0)
    assert "secret.json cannot be read (permission denied)" in _refused(sqlite_backend, path)


def test_a_file_the_system_cannot_open(sqlite_backend: Backend, tmp_path: Path) -> None:
    line = _refused(sqlite_backend, tmp_path / ("x" * 300))  # longer than a name may be
    assert "cannot be read: File name too long" in line


def test_a_bad_file_is_refused_before_the_database_is_looked_at(tmp_path: Path) -> None:
    from services.settings import Settings

    data = tmp_path / "data"
    settings = Settings(database_url=f"sqlite:///{data}/regtimeline.db", data_dir=data)
    result = regtl(settings, "load", str(tmp_path))
    assert "is a directory" in one_error_line(result.stderr, result.exit_code)
    assert not data.exists()


def test_an_ndjson_refusal_names_the_line_blank_lines_counted(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    path = _ndjson(
        tmp_path / "events.ndjson",
        json.dumps(b.company("amd")),
        "",
        json.dumps(b.chip("mi308", "amd", extra=1)),
    )
    line = _refused(sqlite_backend, path)
    assert f"{path} line 3: /data/extra: unknown field 'extra' (nothing was stored)" in line


def test_an_ndjson_syntax_error_names_the_line_and_column(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    path = _ndjson(
        tmp_path / "events.ndjson",
        json.dumps(b.company("amd")),
        json.dumps(b.company("arm")),
        '{"type": "CompanyRegistered",, "data": {}}',
    )
    line = _refused(sqlite_backend, path)
    assert f"{path} line 3 column 30: not valid JSON: Expecting property name" in line


def test_a_pretty_printed_object_read_as_ndjson_gets_a_hint(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(b.company(), indent=2))
    line = _refused(sqlite_backend, path)
    assert f"{path} line 1 column 2: not valid JSON" in line and "JSON array" in line


def test_an_array_refusal_names_the_item(sqlite_backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([b.company("amd"), b.company("arm"), "not an event"], indent=2))
    line = _refused(sqlite_backend, path)
    assert f"{path} item 2: must be a JSON object" in line


def test_an_array_syntax_error_names_the_line_and_column(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_text('[\n  {"type": "CompanyRegistered"},\n  {"type": NaN}\n]\n')
    line = _refused(sqlite_backend, path)
    assert f"{path}: not valid JSON: NaN is not valid JSON" in line
    path.write_text('[\n  {"type": "CompanyRegistered"},\n  {"type" "x"}\n]\n')
    line = _refused(sqlite_backend, path)
    assert f"{path} line 3 column 11: not valid JSON: Expecting ':' delimiter" in line


def test_a_csv_export_is_sent_back_to_ndjson(sqlite_backend: Backend, tmp_path: Path) -> None:
    source = _ndjson(tmp_path / "one.ndjson", json.dumps(b.company()))
    assert regtl(sqlite_backend.settings, "load", str(source)).exit_code == 0
    csv_file = tmp_path / "log.csv"
    assert (
        regtl(sqlite_backend.settings, "export", "--format", "csv", "-o", str(csv_file)).exit_code
        == 0
    )
    result = regtl(sqlite_backend.settings, "load", str(csv_file))
    line = one_error_line(result.stderr, result.exit_code)
    assert line == (
        f"error: {csv_file} looks like CSV (regtl export --format csv is for "
        "spreadsheets); load takes JSON or NDJSON: regtl export --format ndjson"
    )


def _agreement(percent: Any) -> dict[str, Any]:
    return b.revenue_share(percent=percent)


def test_a_fractional_number_loads_and_exports_exactly(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    path = tmp_path / "events.ndjson"
    # 7.25 written as a JSON number, as POST /v1/events accepts it (json.dumps would too).
    lines = [json.dumps(e) for e in (b.company(), b.chip())]
    lines.append(json.dumps(_agreement("PERCENT")).replace('"PERCENT"', "7.25"))
    _ndjson(path, *lines)
    first = regtl(sqlite_backend.settings, "load", str(path))
    assert first.exit_code == 0, first.stderr
    assert first.stderr == "read 3, stored 3, already stored 0\n"
    again = regtl(sqlite_backend.settings, "load", str(path))
    assert "stored 0, already stored 3" in again.stderr  # the content id is stable
    shared = [e for e in _stored(sqlite_backend) if e["type"] == "RevenueShareAgreed"]
    assert shared[0]["data"]["percent"] == "7.25"


def test_a_huge_exponent_is_refused_as_the_api_refuses_it(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    body = json.dumps(b.chip(specs={"tpp": "TPP"})).replace('"TPP"', "1e999999999")
    with open_service("sqlite", tmp_path / "api", None) as service:
        from domain.clocks import utc_now

        token = service.container.keys.create("write", "t", utc_now())[1]
        answer = service.client.post(
            "/v1/events",
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
    assert answer.status_code == 422, answer.text
    api_detail = answer.json()["errors"][0]["detail"]
    assert "out of range" in api_detail
    line = _refused(sqlite_backend, _ndjson(tmp_path / "big.ndjson", body))
    assert f"line 1: /data/specs/tpp: {api_detail} (nothing was stored)" in line
