"""``cistern api-key-create`` (the hyphenated name): the same command as ``api_key_create``."""

from cistern.api.management.commands.api_key_create import Command

__all__ = ["Command"]
