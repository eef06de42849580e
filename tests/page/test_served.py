"""How the page is served (services/api/routes/page.py, docs/page.md): from the package,
with a policy that lets it load nothing from elsewhere; and `make run` names it first."""

from __future__ import annotations

import re
from pathlib import Path

from services.api.routes.page import ASSETS
from services.cli.devstart import _banner
from tests.support.live_server import LiveServer


def test_the_page_is_served_at_the_root_with_a_same_origin_policy(server: LiveServer) -> None:
    response = server.http.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert server.http.head("/").status_code == 200


def test_every_asset_the_page_names_is_served_from_the_package(server: LiveServer) -> None:
    html = server.http.get("/").text
    named = set(re.findall(r'(?:src|href)="(/page/[^"]+)"', html))
    modules = {
        f"/page/{name}"
        for path in (ASSETS / "assets").glob("*.js")
        for name in re.findall(r'from "\./([\w.]+)"', path.read_text())
    }
    assert named >= {"/page/main.js", "/page/style.css"}
    for path in sorted(named | modules):
        response = server.http.get(path)
        assert response.status_code == 200, path
        assert "content-security-policy" in response.headers
    assert server.http.get("/page/main.js").headers["content-type"].startswith("text/javascript")


def test_nothing_but_the_assets_is_served(server: LiveServer) -> None:
    assert server.http.get("/page/../__init__.py").status_code == 404
    assert server.http.get("/page/%2e%2e/__init__.py").status_code == 404
    assert server.http.get("/page/no-such.js").status_code == 404


def test_no_asset_names_another_origin() -> None:
    for path in [ASSETS / "index.html", *(ASSETS / "assets").iterdir()]:
        text = path.read_text()
        assert not re.search(r"""(src|href)=["']https?:""", text), path
        assert "import(" not in text and "http://" not in text.replace("http://www.w3.org", ""), (
            path
        )


def test_make_run_prints_the_page_first() -> None:
    lines = [
        line
        for line in _banner(Path("data/dev-api-key"), "http://127.0.0.1:8000").splitlines()
        if line
    ]
    assert lines[0] == "regtimeline is starting: open the timeline page at http://127.0.0.1:8000/"
