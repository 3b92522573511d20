"""The one error the payments domain raises when an input breaks a rule.

``message`` is written for the person at the screen (what is wrong and what to do);
``code`` is stable, so the web layer can show its translated message instead — the
domain has no Django and so no gettext.
"""

from __future__ import annotations


class PaymentRuleError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
