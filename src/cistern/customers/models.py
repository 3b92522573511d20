"""Customers, the premises they are served at, and the accounts that join the two.

A customer is a person or organization; a premise is a service location (with its APN);
an account is one customer's service at one premise over a span of time. Mailing
addresses keep their history: an update closes the current row and opens a new one.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cistern.customers.domain.account_status import AccountStatus


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    CHINESE = "zh-hans", "中文"
    TAGALOG = "tl", "Tagalog"
    VIETNAMESE = "vi", "Tiếng Việt"
    KOREAN = "ko", "한국어"


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    organization_name = models.CharField(_("organization name"), max_length=200, blank=True)
    # "Last, First" for people, the organization name otherwise; what lists sort and show.
    display_name = models.CharField(_("name"), max_length=200, db_index=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    returned_mail = models.BooleanField(_("mail returned"), default=False)
    returned_mail_on = models.DateField(_("mail returned on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(last_name=""))
                | (Q(kind="organization") & ~Q(organization_name="")),
                name="customer_has_a_name",
            )
        ]

    def __str__(self) -> str:
        return self.display_name


class CustomerPhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        HOME = "home", _("Home")
        WORK = "work", _("Work")
        OTHER = "other", _("Other")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone number"), max_length=20, db_index=True)  # digits only
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.number


class CustomerEmail(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = models.EmailField(_("e-mail address"), db_index=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.address


class MailingAddress(models.Model):
    """Where a customer's mail goes, from ``valid_from`` until ``valid_to`` (current while null).

    Never edited in place: an update closes this row and opens a new one.
    """

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="mailing_addresses"
    )
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(_("ZIP code"), max_length=10)
    country = models.CharField(_("country"), max_length=2, default="US")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(valid_to__isnull=True),
                name="one_current_mailing_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.line1}, {self.city} {self.state} {self.postal_code}"


class PremiseClass(models.TextChoices):
    SINGLE_FAMILY = "sfr", _("Single-family residential")
    MULTI_FAMILY = "mfr", _("Multi-family residential")
    MOBILEHOME = "mobilehome", _("Mobilehome")
    COMMERCIAL = "commercial", _("Commercial")
    INDUSTRIAL = "industrial", _("Industrial")
    INSTITUTIONAL = "institutional", _("Institutional")
    IRRIGATION = "irrigation", _("Irrigation")
    FIRE_SERVICE = "fire", _("Fire service")


RESIDENTIAL_CLASSES = frozenset(
    {PremiseClass.SINGLE_FAMILY, PremiseClass.MULTI_FAMILY, PremiseClass.MOBILEHOME}
)


class Premise(models.Model):
    """A service location: where water is delivered and the meter sits."""

    street_number = models.CharField(_("street number"), max_length=12)
    street_name = models.CharField(_("street name"), max_length=120)  # "Oak Ave"
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2, default="CA")
    postal_code = models.CharField(_("ZIP code"), max_length=10)
    apn = models.CharField(
        _("APN"), max_length=20, blank=True, db_index=True
    )  # assessor's parcel number
    premise_class = models.CharField(_("class"), max_length=16, choices=PremiseClass.choices)
    dwelling_units = models.PositiveIntegerField(_("dwelling units"), default=1)
    in_district = models.BooleanField(_("inside district boundary"), default=True)
    route = models.ForeignKey(
        "metering.Route", null=True, blank=True, on_delete=models.PROTECT, related_name="premises"
    )
    read_sequence = models.PositiveIntegerField(_("read sequence"), default=0)
    cycle = models.ForeignKey(
        "billing.BillingCycle",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="premises",
    )
    # What water-budget and sewer rates price on (see rates.domain.inputs.RatingAttributes).
    # Changed only through customers.services.premise_rating_update, which audits each change.
    household_size = models.PositiveSmallIntegerField(
        _("household size (persons)"), default=0
    )  # 0 = not recorded: a budget rate then gives no indoor allocation
    irrigated_area_sqft = models.PositiveIntegerField(_("irrigated area (sq ft)"), default=0)
    # Replaces the schedule's landscape factor when set (e.g. 1.0 for a special landscape area).
    landscape_factor = models.DecimalField(
        _("landscape factor"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    et_zone = models.CharField(
        _("ET zone"), max_length=20, blank=True
    )  # a zone of rates.ReferenceEt; blank = no outdoor allocation
    strength_class = models.CharField(
        _("sewer strength class"), max_length=20, blank=True
    )  # commercial sewer: a key of the schedule's prices_by_strength
    # Approved water-budget variance (medical, large household, pool), in CCF per nominal
    # period; the reason for each change is kept in the audit trail.
    budget_variance_ccf = models.DecimalField(
        _("water-budget variance (CCF)"), max_digits=8, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["street_name", "street_number", "unit"]
        indexes = [models.Index(fields=["route", "read_sequence"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(landscape_factor__isnull=True)
                | Q(landscape_factor__gte=0, landscape_factor__lte=Decimal("1.5")),
                name="premise_landscape_factor_range",
            ),
            models.CheckConstraint(
                condition=Q(budget_variance_ccf__gte=0), name="premise_budget_variance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.address_line

    @property
    def address_line(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street_number} {self.street_name}{unit}"

    @property
    def is_residential(self) -> bool:
        return self.premise_class in RESIDENTIAL_CLASSES


class Account(models.Model):
    """One customer's service at one premise. ``number`` carries a Luhn check digit."""

    number = models.CharField(_("account number"), max_length=12, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    premise = models.ForeignKey(Premise, on_delete=models.PROTECT, related_name="accounts")
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=[(s.value, s.value.replace("_", " ").title()) for s in AccountStatus],
        default=AccountStatus.PENDING,
    )
    start_date = models.DateField(_("service start"))
    end_date = models.DateField(_("service end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="account_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.number


class ServiceType(models.TextChoices):
    WATER = "water", _("Water")
    SEWER = "sewer", _("Sewer")
    IRRIGATION = "irrigation", _("Irrigation")
    FIRE_LINE = "fire_line", _("Fire line")
    RECYCLED = "recycled", _("Recycled water")


class AccountService(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="services")
    service = models.CharField(_("service"), max_length=12, choices=ServiceType.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["service"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "service"],
                condition=Q(ended_on__isnull=True),
                name="one_open_service_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.service


class FlagKind(models.TextChoices):
    MEDICAL = "medical", _("Medical certification")
    LOW_INCOME = "low_income", _("Low-income household")
    BANKRUPTCY = "bankruptcy", _("Bankruptcy hold")
    DO_NOT_DISCONNECT = "do_not_disconnect", _("Do not disconnect")
    CASH_ONLY = "cash_only", _("Cash only")
    PAPERLESS = "paperless", _("Paperless billing")
    LANDLORD = "landlord", _("Landlord / owner account")


class AccountFlag(models.Model):
    """A flag on an account, set and later cleared; never deleted, so its history stays."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("flag"), max_length=20, choices=FlagKind.choices)
    set_on = models.DateField(_("set on"))
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    # For low-income: how it was shown (program enrollment, self-declaration) — never a case number.
    evidence_type = models.CharField(_("evidence"), max_length=60, blank=True)
    evidence_date = models.DateField(_("evidence date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "-set_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind"],
                condition=Q(cleared_on__isnull=True),
                name="one_open_flag_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.kind


class SecondaryBillTo(models.Model):
    """Someone who receives copies of an account's bills and notices (a landlord, a relative)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="secondary_bill_tos"
    )
    name = models.CharField(_("name"), max_length=200)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state"), max_length=2)
    postal_code = models.CharField(_("ZIP code"), max_length=10)
    email = models.EmailField(_("e-mail"), blank=True)
    receives_bills = models.BooleanField(_("receives bills"), default=True)
    receives_notices = models.BooleanField(_("receives notices"), default=True)
    added_on = models.DateField(_("added on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)

    class Meta:
        ordering = ["-added_on"]

    def __str__(self) -> str:
        return self.name


class ContactLogEntry(models.Model):
    """One interaction with a customer: a walk-in, call, e-mail, letter... Append-only."""

    class Channel(models.TextChoices):
        WALK_IN = "walk_in", _("Walk-in")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        FAX = "fax", _("Fax")
        MAIL = "mail", _("Mail")
        VOICEMAIL = "voicemail", _("Voicemail")
        RADIO = "radio", _("Radio")
        WEB = "web", _("Web")

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    summary = models.TextField(_("summary"))
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when"))

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["account", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.occurred_at:%Y-%m-%d}"


class AccountSearchDocument(models.Model):
    """What the workspace search matches an account against, kept by the customer services.

    ``text`` is the lower-cased, accent-folded words of: account number, customer name,
    service and mailing addresses, phones (digits), e-mails, meter serials and APN. Each
    database searches it its own fast way (see ``customers/search.py``).
    """

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    text = models.TextField()

    def __str__(self) -> str:
        return self.text[:60]
