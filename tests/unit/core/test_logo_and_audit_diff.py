"""Logo files are judged by content; audit diffs read as field rows; CSV cells are safe."""

import pytest

from cistern.core.domain.audit_diff import changes_text, csv_safe, field_changes
from cistern.core.domain.logo import MAX_LOGO_BYTES, PNG_MAGIC, LogoRejected, logo_kind

PLAIN_SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PNG_MAGIC + b"rest", "png"),
        (b"\xff\xd8\xff\xe0rest", "jpeg"),
        (PLAIN_SVG, "svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "svg"),
    ],
)
def test_png_jpeg_and_plain_svg_are_accepted(content: bytes, kind: str) -> None:
    assert logo_kind(content) == kind


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"GIF89a....", "wrong_type"),
        (b"%PDF-1.7", "wrong_type"),
        (b"<html><svg></svg></html>", "wrong_type"),
        (b'<svg onload="alert(1)"></svg>', "svg_active"),
        (b"<svg><script>alert(1)</script></svg>", "svg_active"),
        (b'<svg><a href="javascript:alert(1)">x</a></svg>', "svg_active"),
        (PNG_MAGIC + b"x" * MAX_LOGO_BYTES, "too_large"),
    ],
)
def test_other_files_are_refused_with_a_reason(content: bytes, reason: str) -> None:
    with pytest.raises(LogoRejected, match=reason):
        logo_kind(content)


def test_field_changes_list_every_field_in_either_side() -> None:
    rows = field_changes({"role": "csr1", "gone": 1}, {"role": "csr2", "new": None})
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("gone", "1", "—"),
        ("new", "—", "(empty)"),
        ("role", "csr1", "csr2"),
    ]


def test_changes_text_is_one_line() -> None:
    assert changes_text({"a": 1}, {"a": 2}) == "a: 1 → 2"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("ok", "ok"),
        ("", ""),
    ],
)
def test_csv_cells_that_look_like_formulas_are_neutralized(cell: str, safe: str) -> None:
    assert csv_safe(cell) == safe
