from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "cistern.billing"
    label = "billing"
    verbose_name = "Billing"
