"""The documents in the repository hold: docs/errors.md is the registry as it is, and no link in README, CHANGELOG or
docs/ points at a file or a heading that does not exist. (scripts/walkthrough.sh runs their commands, in CI.)"""

import re
from pathlib import Path

import pytest

from app.ops import problems

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) outside code; targets with a scheme are the web's business.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"```.*?```", re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")


def _prose(path: Path) -> str:
    return CODE_SPAN.sub("", FENCE.sub("", path.read_text("utf-8")))


def _anchors(path: Path) -> set[str]:
    """The fragments a link may name in ``path``: its headings as GitHub slugs them, and explicit ``<a id>``."""
    text = FENCE.sub("", path.read_text("utf-8"))
    anchors = set(re.findall(r'<a id="([^"]+)"', text))
    for heading in re.findall(r"^#{1,6} (.+)$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
        anchors.add(slug.replace(" ", "-"))
    return anchors


def test_errors_md_is_the_registry() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text("utf-8")
    assert committed == problems.markdown(), "docs/errors.md is stale: run `make docs` (kpr errors > docs/errors.md)"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_points_at_something_that_exists(document: Path) -> None:
    dead = []
    for target in LINK.findall(_prose(document)):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, fragment = target.partition("#")
        path = (document.parent / file).resolve() if file else document
        if not path.exists() or (fragment and path.suffix == ".md" and fragment not in _anchors(path)):
            dead.append(target)
    assert dead == []


def test_the_documents_the_readme_promises_are_there() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in ("docs/design.md", "docs/errors.md", "docs/recipes.md", "CHANGELOG.md"):
        assert f"]({name})" in readme
    assert "DESIGN.md" not in readme


def test_the_link_check_finds_dead_links(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("## A heading\n[ok](#a-heading) [gone](missing.md) [bad](#nowhere) `[code](x.md)`\n")
    assert LINK.findall(_prose(page)) == ["#a-heading", "missing.md", "#nowhere"]
    assert "a-heading" in _anchors(page)
