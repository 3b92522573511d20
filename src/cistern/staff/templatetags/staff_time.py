"""Template helpers for the sign-in pages: when a paused sign-in opens again."""

from datetime import datetime, timedelta

from django import template

from cistern.core.calendar import district_now

register = template.Library()


@register.filter
def whole_minutes(span: timedelta) -> int:
    """A cool-off as whole minutes, rounded up (a person waits at least this long)."""
    seconds = int(span.total_seconds())
    return max(1, -(-seconds // 60))


@register.simple_tag
def try_again_at(span: timedelta) -> datetime:
    """The district-time moment the cool-off ends, counted from now (the last failure)."""
    return district_now() + span
