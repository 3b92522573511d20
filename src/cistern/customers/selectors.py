"""Reads for the workspace: search, and the account page (see account_page.py)."""

from __future__ import annotations

from cistern.customers.search import SearchHit, search_accounts


def account_search(*, query: str, limit: int = 20) -> list[SearchHit]:
    """Accounts matching ``query`` (any words of number, name, address, phone, e-mail, meter,
    APN), best first. Never raises on odd input: returns [] when nothing can be searched."""
    return search_accounts(query=query, limit=limit)
