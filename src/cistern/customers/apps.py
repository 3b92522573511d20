from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "cistern.customers"
    label = "customers"
    verbose_name = "Customers"
