"""Text helpers for generated data."""

import unicodedata
from functools import lru_cache

_EXTRA = str.maketrans({"Đ": "D", "đ": "d", "Ø": "O", "ø": "o", "ß": "ss", "'": ""})


@lru_cache(maxsize=4096)
def ascii_fold(text: str) -> str:
    """``text`` with accents removed ("Nguyễn" -> "Nguyen", "Đặng" -> "Dang")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
