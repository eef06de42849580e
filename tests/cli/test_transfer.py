"""regtl load / export / demo / keys, run as a user would (in process, through typer)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from services.cli.main import shipped_demos
from services.cli.transfer_files import read_items
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.cli import regtl
from tests.support.transfer import exported_events


def test_demo_loads_and_a_second_run_stores_nothing(backend: Backend, tmp_path: Path) -> None:
    """`regtl demo` loads each shipped timeline in turn and says what each stored; the counts
    are the files' own, so a timeline that grows needs no change here."""
    sizes = {path.name: len(read_items(path)) for path in shipped_demos()}
    assert list(sizes) == ["h20_timeline.json", "h200_sequel.json"] and all(sizes.values())

    def said(run: str) -> list[str]:
        """What a run prints for each file: the first stores it all, the second nothing."""
        lines = []
        for name, n in sizes.items():
            stored, skipped = (n, 0) if run == "first" else (0, n)
            lines += [f"{name}:", f"read {n}, stored {stored}, already stored {skipped}"]
        return lines

    first = regtl(backend.settings, "demo")
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == said("first")
    second = regtl(backend.settings, "demo")
    assert second.exit_code == 0, second.output
    assert second.output.splitlines() == said("second")
    assert len(exported_events(backend.settings, tmp_path / "log.ndjson")) == sum(sizes.values())


def test_export_then_load_into_an_empty_database_keeps_ids_and_clocks(
    backend: Backend, sqlite_backend: Backend, tmp_path: Path
) -> None:
    regtl(backend.settings, "demo")
    exported = exported_events(backend.settings, tmp_path / "a.ndjson")
    loaded = regtl(sqlite_backend.settings, "load", str(tmp_path / "a.ndjson"))
    assert loaded.exit_code == 0, loaded.output
    again = exported_events(sqlite_backend.settings, tmp_path / "b.ndjson")
    strip = [{k: v for k, v in e.items() if k != "position"} for e in exported]
    assert [{k: v for k, v in e.items() if k != "position"} for e in again] == strip
    reload = regtl(sqlite_backend.settings, "load", str(tmp_path / "a.ndjson"))
    assert f"already stored {len(exported)}" in reload.output


def test_load_accepts_a_json_array_and_refuses_a_bad_line_storing_nothing(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(b.basics()))
    assert regtl(sqlite_backend.settings, "load", str(good)).exit_code == 0
    bad = tmp_path / "bad.ndjson"
    bad.write_text(
        json.dumps(b.company("amd")) + "\n" + json.dumps(b.chip("mi308", "amd", extra=1)) + "\n"
    )
    result = regtl(sqlite_backend.settings, "load", str(bad))
    assert result.exit_code == 1
    assert "bad.ndjson line 2: /data/extra: unknown field 'extra'" in result.stderr
    assert len(exported_events(sqlite_backend.settings, tmp_path / "log.ndjson")) == 2


def test_load_of_a_missing_file_says_so(sqlite_backend: Backend, tmp_path: Path) -> None:
    result = regtl(sqlite_backend.settings, "load", str(tmp_path / "nope.json"))
    assert result.exit_code == 1 and "nope.json does not exist" in result.stderr


@pytest.mark.parametrize("summary", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)"])
def test_csv_export_escapes_formula_cells(
    sqlite_backend: Backend, tmp_path: Path, summary: str
) -> None:
    source = tmp_path / "one.json"
    source.write_text(json.dumps([b.company() | {"summary": summary}]))
    regtl(sqlite_backend.settings, "load", str(source))
    out = tmp_path / "log.csv"
    assert (
        regtl(sqlite_backend.settings, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["summary"] == "'" + summary
    assert rows[0]["type"] == "CompanyRegistered" and rows[0]["id"]


def test_keys_create_prints_the_key_alone_on_the_last_line(sqlite_backend: Backend) -> None:
    result = regtl(sqlite_backend.settings, "keys", "create", "--scope", "write", "--name", "ci")
    assert result.exit_code == 0
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("rtl_") and len(token.split("_")) == 3
    listed = regtl(sqlite_backend.settings, "keys", "list")
    key_id = token.split("_")[1]
    assert key_id in listed.stdout and token.split("_")[2] not in listed.stdout
    assert regtl(sqlite_backend.settings, "keys", "revoke", key_id).exit_code == 0
    assert regtl(sqlite_backend.settings, "keys", "revoke", key_id).exit_code == 1


def test_keys_create_refuses_an_unknown_scope(sqlite_backend: Backend) -> None:
    result = regtl(sqlite_backend.settings, "keys", "create", "--scope", "root")
    assert result.exit_code == 1 and "scope must be one of" in result.output


def test_a_refused_batch_names_the_items_place_in_the_file(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    source = tmp_path / "late.ndjson"
    lines = [b.company(f"c-{i}") for i in range(5)] + [b.chip("x1", "nobody")]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = regtl(sqlite_backend.settings, "load", "--batch-size", "2", str(source))
    assert result.exit_code == 1
    assert "late.ndjson line 6 (/data/manufacturer)" in result.stderr
    assert "4 events before it" in result.stderr
