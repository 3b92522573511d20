"""Which commercial sewer strength classes the rate schedules price.

The "" key of a table (the price for premises with no strength class) is not a class.

A premise's strength class must be one a sewer schedule has a price for
(``prices_by_strength`` of a ``sewer`` component), or its bills would fail to rate; the
premise form offers these and the premise service refuses any other.
"""

from __future__ import annotations

from typing import Any


def strength_classes_priced() -> list[str]:
    """Every strength class some sewer rate version prices, sorted."""
    from cistern.rates.models import RateVersion

    found: set[str] = set()
    for document in RateVersion.objects.values_list("document", flat=True):
        for component in _components(document):
            prices = component.get("prices_by_strength") if isinstance(component, dict) else None
            if isinstance(prices, dict):
                found.update(str(key) for key in prices if str(key).strip())
    return sorted(found)


def _components(document: Any) -> list[Any]:
    if isinstance(document, dict) and isinstance(document.get("components"), list):
        return document["components"]
    return []
