from django import template

from cistern.core.money import format_cents

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """``123456`` -> ``$1,234.56`` (empty for None)."""
    return "" if value is None else format_cents(int(value))


@register.filter
def cents_abs(value: int | None) -> str:
    """The amount without its sign: a credit of ``-4200`` shows as ``$42.00``."""
    return "" if value is None else format_cents(abs(int(value)))
