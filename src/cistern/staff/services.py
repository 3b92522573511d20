"""Staff user management: create, change role, deactivate, reactivate. Never delete.

A user who leaves is deactivated, so every audit row they wrote keeps its author. An
administrator cannot change their own role or deactivate themselves: that is how a district
locks itself out of its own administration.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cistern.core.audit import audit_record
from cistern.core.errors import ServiceError
from cistern.staff.models import User
from cistern.staff.roles import Role

USERNAME_TAKEN = "That username is already in use. Choose another one."
USERNAME_REQUIRED = "Enter a username."
ROLE_UNKNOWN = "Choose one of the listed roles."
REASON_REQUIRED = "Say why, for the audit trail."
NOT_YOURSELF = "You cannot change your own role or access. Ask another administrator."
ALREADY_INACTIVE = "This user is already deactivated."
ALREADY_ACTIVE = "This user is already active."
ROLE_UNCHANGED = "The user already has that role. Choose a different one."


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "is_active": user.is_active,
    }


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise ServiceError(_(ROLE_UNKNOWN), field="role")
    return Role(role)


def _check_reason(reason: str) -> str:
    if not reason.strip():
        raise ServiceError(_(REASON_REQUIRED), field="reason")
    return reason.strip()


def _lock_other_user(*, actor: Any, user_id: int) -> User:
    user = User.objects.select_for_update().get(pk=user_id)
    if user.pk == getattr(actor, "pk", None):
        raise ServiceError(_(NOT_YOURSELF))
    return user


def staff_user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str = "",
    role: str,
    password: str,
) -> User:
    """A new active staff user with ``role`` and an initial password they should change."""
    username = username.strip()
    if not username:
        raise ServiceError(_(USERNAME_REQUIRED), field="username")
    checked_role = _check_role(role)
    user = User(username=username, full_name=full_name.strip(), email=email.strip())
    user.role = checked_role
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise ServiceError(_(USERNAME_TAKEN), field="username")
        user.set_password(password)
        user.save()
        audit_record(actor=actor, action="staff.user.create", subject=user, after=_snapshot(user))
    return user


def staff_user_role_change(*, actor: Any, user_id: int, role: str, reason: str) -> User:
    checked_role = _check_role(role)
    reason = _check_reason(reason)
    with transaction.atomic():
        user = _lock_other_user(actor=actor, user_id=user_id)
        if user.role == checked_role:
            raise ServiceError(_(ROLE_UNCHANGED), field="role")
        before = {"role": user.role}
        user.role = checked_role
        user.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="staff.user.role_change",
            subject=user,
            before=before,
            after={"role": user.role},
            reason=reason,
        )
    return user


def staff_user_deactivate(*, actor: Any, user_id: int, reason: str) -> User:
    """Turn off sign-in for ``user_id``. Their open sessions stop working at the next request."""
    return _set_active(actor=actor, user_id=user_id, reason=reason, active=False)


def staff_user_reactivate(*, actor: Any, user_id: int, reason: str) -> User:
    return _set_active(actor=actor, user_id=user_id, reason=reason, active=True)


def _set_active(*, actor: Any, user_id: int, reason: str, active: bool) -> User:
    reason = _check_reason(reason)
    with transaction.atomic():
        user = _lock_other_user(actor=actor, user_id=user_id)
        if user.is_active == active:
            raise ServiceError(_(ALREADY_ACTIVE if active else ALREADY_INACTIVE))
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="staff.user.reactivate" if active else "staff.user.deactivate",
            subject=user,
            before={"is_active": not active},
            after={"is_active": active},
            reason=reason,
        )
    return user
