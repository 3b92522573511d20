"""The words an account is found by, normalized the same way for documents and queries.

Lower-case, accents folded (José -> jose), punctuation dropped except inside e-mail
addresses, phone numbers reduced to digits (also indexed by their last 7 and 4 digits),
so "(530) 555-0142", "5305550142" and "555-0142" all find the same account.
"""

import re
import unicodedata
from collections.abc import Iterable

# A run of letters, digits and @._+- that starts and ends with a letter, digit or @: the
# same words as splitting on everything else and trimming ".-_+" from each end, in one pass.
_WORD = re.compile(r"[a-z0-9@](?:[a-z0-9@._+-]*[a-z0-9@])?")
_NOT_DIGIT = re.compile(r"\D")


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    if text.isascii():
        return text.lower()  # the common case, and the one bulk rebuilds spend their time on
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The search words in ``text``: folded, split on anything but letters, digits and @._+-.

    Trailing dots and dashes are trimmed ("Ave." -> "ave"); a word of only punctuation is dropped.
    """
    found: list[str] = _WORD.findall(fold(text))
    return found


def phone_words(number: str) -> list[str]:
    digits = _NOT_DIGIT.sub("", number)
    if not digits:
        return []
    variants = [digits]
    if len(digits) >= 7:
        variants.append(digits[-7:])
    return variants


def build_search_text(
    *,
    account_number: str,
    names: Iterable[str] = (),
    addresses: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
    meter_serials: Iterable[str] = (),
    apns: Iterable[str] = (),
) -> str:
    """One space-separated string of unique search words, account number first."""
    parts: list[str] = [account_number]
    # One pass of words() over everything: it splits on spaces anyway, and bulk rebuilds of
    # 100,000 documents spend their time here.
    parts.extend(words(" ".join((*names, *addresses, *emails, *meter_serials))))
    for apn in apns:
        parts.extend(words(apn))
        parts.append(_NOT_DIGIT.sub("", apn))  # "123-456-78" also found as "12345678"
    for phone in phones:
        parts.extend(phone_words(phone))
    return " ".join(dict.fromkeys(part for part in parts if part))
