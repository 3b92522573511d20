"""``cistern billing-check`` (the hyphenated name): the same command as ``billing_check``."""

from cistern.billing.management.commands.billing_check import Command

__all__ = ["Command"]
