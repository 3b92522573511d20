"""Check the documentation's links: run by `make lint` (and so by `make check` and CI).

1. Every page under docs/ is linked from docs/index.md, so nothing written is lost.
2. Every relative link in README.md and docs/ points to a file that exists.

Exits non-zero with one line per problem.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INDEX = DOCS / "index.md"
# [text](target) — the target up to a space, ")" or "#"; images and inline code are rare here.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>#]*)(?:#[^)\s>]*)?>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def links_in(page: Path) -> list[Path]:
    """The files that a page's relative links point to (external and same-page links dropped)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    targets = []
    for target in LINK.findall(text):
        if target and not EXTERNAL.match(target):
            targets.append((page.parent / target).resolve())
    return targets


def problems() -> list[str]:
    found = []
    pages = sorted(DOCS.rglob("*.md"))
    for page in [ROOT / "README.md", *pages]:
        for target in links_in(page):
            if not target.exists():
                found.append(f"{page.relative_to(ROOT)}: broken link to {target}")
    if not INDEX.exists():
        return [*found, "docs/index.md is missing: it must link every page under docs/"]
    linked = set(links_in(INDEX))
    for page in pages:
        if page != INDEX and page.resolve() not in linked:
            found.append(f"docs/index.md does not link {page.relative_to(ROOT)}")
    return found


def main() -> int:
    found = problems()
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print(f"{len(found)} documentation link problem(s).", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
