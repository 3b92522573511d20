"""``cistern sewer-caps`` (the hyphenated name): the same command as ``sewer_caps``."""

from cistern.rates.management.commands.sewer_caps import Command

__all__ = ["Command"]
