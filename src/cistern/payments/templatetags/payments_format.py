from django import template

from cistern.core.money import format_cents

register = template.Library()


@register.filter
def money(value: int | None) -> str:
    """Integer cents as dollars: 123456 -> $1,234.56 (empty for None or "")."""
    if value is None or value == "":
        return ""
    return format_cents(int(value))
