"""Reads of staff users."""

from __future__ import annotations

from django.db.models import QuerySet

from cistern.staff.models import User


def staff_user_list(*, include_inactive: bool = True) -> QuerySet[User]:
    users = User.objects.order_by("-is_active", "username")
    return users if include_inactive else users.filter(is_active=True)


def staff_user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()
