"""The SQLite database and its side files are readable by their owner only: they hold key
digests and webhook URLs, which may carry credentials (docs/deploy.md, "Threat model")."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from services.bootstrap import bootstrap
from services.settings import Settings
from services.storage import migrate
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.support import builders as b


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _settings(folder: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{folder}/regtimeline.db", data_dir=folder)


def test_a_new_database_its_wal_and_its_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    settings = _settings(folder)
    migrate.upgrade(settings)
    container = bootstrap(settings)
    try:
        container.start(worker=False)
        container.writer.append([Item(parse_envelope(b.company()))], "test")
        files = [p for p in folder.iterdir() if p.name.startswith("regtimeline.db")]
        assert any(p.name.endswith("-wal") for p in files), files
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        container.close()
    assert _mode(folder) == 0o700


def test_an_older_world_readable_database_is_made_private_on_start(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    migrate.upgrade(settings)
    database = tmp_path / "regtimeline.db"
    os.chmod(database, 0o644)
    bootstrap(settings).close()
    assert _mode(database) == 0o600
