from django.urls import path

from cistern.rates.views import calculator, et, fees, versions

app_name = "rates"

urlpatterns = [
    path("", versions.schedule_list, name="schedules"),
    path("versions/<int:version_id>/", versions.version_detail, name="version"),
    path("versions/<int:version_id>/owrs/", versions.owrs_export, name="owrs_export"),
    path("schedules/<int:schedule_id>/new-version/", versions.version_new, name="version_new"),
    path("schedules/<int:schedule_id>/owrs-import/", versions.owrs_import, name="owrs_import"),
    path("calculator/", calculator.calculator, name="calculator"),
    path("fees/", fees.fee_list, name="fees"),
    path("fees/add/", fees.fee_add, name="fee_add"),
    path("et/", et.et_table, name="et_table"),
    path("et/edit/", et.et_edit, name="et_edit"),
]
