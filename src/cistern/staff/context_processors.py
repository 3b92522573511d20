from django.http import HttpRequest

from cistern.staff.permissions import Action, can


def staff(request: HttpRequest) -> dict[str, object]:
    """What the top bar needs: the user's role and which work areas to show."""
    user = request.user
    if not getattr(user, "is_authenticated", False):
        return {}
    return {
        "staff_role_label": user.get_role_display(),
        "can": {action.name: can(user, action) for action in Action},
    }
