"""Staff roles, from the CSR job description's tiers plus the district's other desks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CSR_I = "csr1", _("CSR I")
    CSR_II = "csr2", _("CSR II")
    CSR_III = "csr3", _("CSR III")
    CSR_SENIOR = "csr_senior", _("CSR Senior")
    MANAGER = "manager", _("Customer Relations Manager")
    FINANCE = "finance", _("Finance")
    FIELD = "field", _("Field")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")
