from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cistern.ledger"
    label = "ledger"
    verbose_name = "Ledger"
