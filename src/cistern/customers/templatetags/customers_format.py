"""Display filters for the workspace: money in cents, phone digits."""

from django import template

from cistern.core.money import format_cents
from cistern.customers.domain.contact_details import phone_display

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """``123456|cents`` -> "$1,234.56"."""
    return format_cents(int(value or 0))


@register.filter
def phone(value: str) -> str:
    """``"5305550142"|phone`` -> "(530) 555-0142"."""
    return phone_display(value or "")
