from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cistern.core"
    label = "core"
    verbose_name = "Core"
