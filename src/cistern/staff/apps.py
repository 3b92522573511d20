from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "cistern.staff"
    label = "staff"
    verbose_name = "Staff"
