from django.urls import path

from cistern.core.views import audit, calendar, district

app_name = "core"

urlpatterns = [
    path("audit/", audit.audit_list, name="audit"),
    path("audit/export.csv", audit.audit_export, name="audit_export"),
    path("audit/users/<int:user_id>/", audit.audit_user, name="audit_user"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/add/", calendar.calendar_add, name="calendar_add"),
    path("calendar/seed/", calendar.calendar_seed, name="calendar_seed"),
    path("calendar/<str:day>/remove/", calendar.calendar_remove, name="calendar_remove"),
    path("district/", district.district_settings, name="district_settings"),
    path("district/logo/", district.district_logo, name="district_logo"),
]
