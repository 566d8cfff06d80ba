"""The /ui routes: the shell, its modules, the vocabulary and plotly.js, all from this origin."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from evwatch.domain.categories import CATEGORIES
from evwatch.domain.triage import CLOSED, STATUSES, may_move
from serving.errors import EXCEPTION_HANDLERS
from serving.ui.routes import STATIC, ui_routes

IMPORT = re.compile(r"""(?:import|from)\s*(?:[^'"]*?from\s*)?["'](\.{1,2}/[^"']+)["']""")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(Litestar(route_handlers=ui_routes(), exception_handlers=EXCEPTION_HANDLERS)) as c:
        yield c


@pytest.mark.parametrize("path", ["/ui", "/ui/"])
def test_the_shell_is_served_with_a_same_origin_policy(client: TestClient[Litestar], path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/ui/assets/app.js">' in answer.text
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy


def test_every_module_the_page_imports_is_served(client: TestClient[Litestar]) -> None:
    seen: set[str] = set()
    pending = ["app.js"]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        answer = client.get(f"/ui/assets/{name}")
        assert answer.status_code == 200, name
        assert "javascript" in answer.headers["content-type"], name
        assert answer.headers["content-security-policy"]
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        for target in IMPORT.findall(answer.text):
            parts = (folder + target).split("/")
            resolved: list[str] = []
            for part in parts:
                if part == "..":
                    resolved.pop()
                elif part not in (".", ""):
                    resolved.append(part)
            pending.append("/".join(resolved))
    on_disk = {str(p.relative_to(STATIC / "assets")) for p in (STATIC / "assets").rglob("*.js")}
    assert seen == on_disk, "a module nobody imports, or an import of a missing module"
    assert client.get("/ui/assets/style.css").headers["content-type"].startswith("text/css")


def test_nothing_is_loaded_from_another_origin() -> None:
    for path in STATIC.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, re.IGNORECASE), path


def test_plotly_comes_from_the_installed_wheel(client: TestClient[Litestar]) -> None:
    answer = client.get("/ui/vendor/plotly.min.js")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.text.startswith("/**\n* plotly.js v")
    assert "max-age=" in answer.headers["cache-control"]


def test_the_vocabulary_is_the_domains(client: TestClient[Litestar]) -> None:
    vocabulary = client.get("/ui/vocabulary.json").json()
    assert [c["code"] for c in vocabulary["categories"]] == list(CATEGORIES)
    assert all(c["name"] and c["description"] for c in vocabulary["categories"])
    assert vocabulary["issueStatuses"] == list(STATUSES)
    assert set(vocabulary["closedStatuses"]) == CLOSED
    for status, targets in vocabulary["transitions"].items():
        assert targets == [t for t in STATUSES if may_move(status, t) and t != status]


@pytest.mark.parametrize("path", ["/ui/assets/../routes.py", "/ui/assets/%2e%2e/routes.py", "/ui/assets/missing.js"])
def test_nothing_outside_the_assets_is_served(client: TestClient[Litestar], path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404
    assert "vocabulary" not in answer.text
