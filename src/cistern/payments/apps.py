from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "cistern.payments"
    label = "payments"
    verbose_name = "Payments"
