"""How an audit event's before/after values read as a list of changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING = "—"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def _show(values: dict[str, Any], key: str) -> str:
    if key not in values:
        return MISSING
    value = values[key]
    if value is None or value == "":
        return "(empty)"
    return str(value)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """One row per field named in either side, in field-name order."""
    return [
        FieldChange(key, _show(before, key), _show(after, key))
        for key in sorted(set(before) | set(after))
    ]


def changes_text(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The changes on one line, for CSV: ``role: csr1 → csr2; is_active: True → False``."""
    return "; ".join(f"{c.field}: {c.before} → {c.after}" for c in field_changes(before, after))


def csv_safe(text: str) -> str:
    """Neutralize a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
