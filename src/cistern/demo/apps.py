from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cistern.demo"
    label = "demo"
    verbose_name = "Demo district"
