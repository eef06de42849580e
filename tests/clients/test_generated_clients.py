"""Clients generated from the live /openapi.json work (docs/api-clients.md).

A real server on 127.0.0.1 over a fresh SQLite database holding the shipped demo
(deploy/demo/h20_timeline.json) and a real webhook receiver. Two generators nobody here
wrote turn its schema into clients, and a short script with each reads the H20's state,
history and a filtered list, posts an event and a batch, subscribes a webhook and reads
its deliveries:

- TypeScript: openapi-typescript + openapi-fetch, type-checked by tsc --strict (a field
  the schema does not declare is a compile error), then run by node;
- Python: openapi-python-client (--fail-on-warning: an operation it cannot generate fails
  here), run in the generator's own venv.

The receiver's side is checked too: each script's subscription got signed deliveries of
the events it posted (the official Standard Webhooks verifier).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.clocks import utc_now
from services.bootstrap import bootstrap
from services.cli.main import REPO_DEMO
from services.cli.transfer import load, read_items
from tests.clients import tools
from tests.conftest import _sqlite_backend
from tests.support.hooks import verified
from tests.support.live_server import LiveServer
from tests.support.receivers import QuickReceiver

PACKAGE = "regtimeline_client"


@dataclass
class Site:
    live: LiveServer
    receiver: QuickReceiver
    write_key: str
    subscribe_key: str
    schema: Path

    def script_env(self, prefix: str) -> dict[str, str]:
        return {
            "REGTL_URL": self.live.base,
            "REGTL_WRITE_KEY": self.write_key,
            "REGTL_SUBSCRIBE_KEY": self.subscribe_key,
            "REGTL_PREFIX": prefix,
            # one path per client: the receiver tells their deliveries apart by it
            "REGTL_HOOK_URL": f"{self.receiver.url}/{prefix}",
        }

    def check_received(self, prefix: str, stdout: str) -> None:
        """The receiver got the script's events, signed with its subscription's secret."""
        result = json.loads(tools.result_line(stdout))
        mine = [r for r in self.receiver.snapshot() if r.path == f"/hook/{prefix}"]
        payloads = verified(result["secret"], mine)
        positions = {p["data"]["position"] for p in payloads.values()}
        registered, ban, _ = result["positions"]
        assert {registered, ban} <= positions, (positions, result)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("clients")
    backend = _sqlite_backend(folder)
    # Local receivers are private addresses: allowed here only (docs/configuration.md).
    settings = backend.settings.model_copy(
        update={"webhook_allow_private": True, "webhook_retry_schedule": "0,0.2,0.5,1"}
    )
    container = bootstrap(settings)
    load(container, read_items(REPO_DEMO))
    write_key = container.keys.create("write", "client-write", utc_now())[1]
    subscribe_key = container.keys.create("subscribe", "client-subscribe", utc_now())[1]
    with QuickReceiver() as receiver, LiveServer(container) as live:  # closes the container
        answer = live.http.get("/openapi.json")
        assert answer.status_code == 200, answer.text
        schema = folder / "openapi.json"
        schema.write_text(answer.text)
        yield Site(live, receiver, write_key, subscribe_key, schema)


def test_typescript_client(site: Site, tmp_path: Path) -> None:
    node = tools.node()
    # The build folder: the committed script beside the generated types, node_modules
    # linked from the pinned install, a tsconfig extending the committed one.
    shutil.copy(tools.TYPESCRIPT / "client.ts", tmp_path / "client.ts")
    (tmp_path / "node_modules").symlink_to(tools.TYPESCRIPT / "node_modules")
    (tmp_path / "package.json").write_text('{"type": "module", "private": true}\n')
    (tmp_path / "tsconfig.json").write_text(
        json.dumps(
            {
                "extends": str(tools.TYPESCRIPT / "tsconfig.json"),
                "compilerOptions": {"noEmit": False, "outDir": "out", "rootDir": "."},
                "files": ["client.ts", "api.d.ts"],
            }
        )
    )
    # Default options, as a new user would run it. openapi-typescript 7 makes a property
    # with a `default` required even in a request body's $ref'd schema, so the document
    # states request defaults in words (docs/api-clients.md): if one came back, the
    # scripts' writes, which leave optional fields out, would stop compiling.
    tools.run(
        [tools.NODE_BIN / "openapi-typescript", site.schema, "-o", tmp_path / "api.d.ts"],
        "openapi-typescript",
        cwd=tmp_path,
    )
    # One tsc run: --strict from the committed tsconfig, and noEmitOnError so that a type
    # error fails here with nothing to run (a separate --noEmit pass would double the time).
    tools.run(
        [tools.NODE_BIN / "tsc", "-p", tmp_path / "tsconfig.json"],
        "tsc --strict (type-check and compile client.ts)",
        cwd=tmp_path,
    )
    stdout = tools.run(
        [node, tmp_path / "out" / "client.js"],
        "node client.js",
        env=site.script_env("ts"),
        timeout=60,
    )
    site.check_received("ts", stdout)


def test_python_client(site: Site, tmp_path: Path) -> None:
    python = tools.generator_python()
    bin_dir = python.parent
    # Its post-hooks (ruff) come from the same venv, whatever is first on PATH.
    path = {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    tools.run(
        [
            bin_dir / "openapi-python-client",
            "generate",
            "--path",
            site.schema,
            "--output-path",
            tmp_path / PACKAGE,
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        "openapi-python-client generate",
        env=path,
    )
    stdout = tools.run(
        [python, tools.PYTHON_SCRIPT, tmp_path, PACKAGE],
        "python_client_script.py",
        env={**path, **site.script_env("py")},
        timeout=60,
    )
    site.check_received("py", stdout)
