from django.http import HttpResponse
from django.urls import path

from cistern.staff.permissions import Action, action_required

app_name = "core"


@action_required(Action.AUDIT_VIEW)
def audit(request):  # placeholder until the audit screens land
    return HttpResponse("audit")


@action_required(Action.CALENDAR_VIEW)
def calendar(request):
    return HttpResponse("calendar")


@action_required(Action.DISTRICT_SETTINGS_EDIT)
def district_settings(request):
    return HttpResponse("settings")


urlpatterns = [
    path("audit/", audit, name="audit"),
    path("calendar/", calendar, name="calendar"),
    path("district/", district_settings, name="district_settings"),
]
