from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from loyalty.ids import PUBLIC_ID_MAX_LENGTH, exchange_id


class ExchangeDirection(models.TextChoices):
    EXCHANGE_OUT = "exchange_out", "Exchange out"
    EXCHANGE_IN = "exchange_in", "Exchange in"


class ExchangePartnership(models.Model):
    """An exchange between one of our currencies and a partner's, in one direction.

    exchange_out: members of `loyalty_currency` send its units to `partner_currency`;
    exchange_in: members of `partner_currency` bring its units into `loyalty_currency`.
    `partner` is the exchange partner: it holds an account in both currencies, receives the
    origin units and gives the destination units (from its mint when it owns the destination
    currency). `conversion_ratio_per_unit` is destination units per origin unit; the result is
    rounded down to whole units and an exchange that would give none is refused. The minimum
    and maximum bound the origin amount; `execute_required_fields` lists the member identifiers
    the destination programme needs ([{"id": "family_name", "name": "Family name"}]).
    """

    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.CASCADE, related_name="exchange_partnerships"
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.CASCADE, related_name="exchange_partnerships"
    )
    partner_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency",
        on_delete=models.CASCADE,
        related_name="partner_exchange_partnerships",
    )
    direction = models.CharField(max_length=16, choices=ExchangeDirection.choices)
    conversion_ratio_per_unit = models.DecimalField(
        max_digits=20,
        decimal_places=8,
        validators=[MinValueValidator(Decimal("0.00000001"))],
        help_text="Destination units per origin unit (rounded down to whole units).",
    )
    minimum_member_transaction_amount = models.PositiveBigIntegerField(null=True, blank=True)
    maximum_member_transaction_amount = models.PositiveBigIntegerField(null=True, blank=True)
    execute_required_fields = models.JSONField(
        default=list,
        blank=True,
        help_text='Identifiers the destination needs, e.g. [{"id": "family_name", "name": '
        '"Family name"}].',
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["loyalty_currency", "partner_currency", "direction"]
        constraints = [
            models.UniqueConstraint(
                fields=["loyalty_currency", "partner_currency", "direction"],
                name="exchange_partnership_unique_per_pair_direction",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=ExchangeDirection.values),
                name="exchange_partnership_direction_valid",
            ),
            models.CheckConstraint(
                condition=~Q(loyalty_currency=F("partner_currency")),
                name="exchange_partnership_currencies_differ",
            ),
            models.CheckConstraint(
                condition=Q(conversion_ratio_per_unit__gt=0),
                name="exchange_partnership_ratio_positive",
            ),
            models.CheckConstraint(
                condition=Q(minimum_member_transaction_amount__isnull=True)
                | Q(maximum_member_transaction_amount__isnull=True)
                | Q(minimum_member_transaction_amount__lte=F("maximum_member_transaction_amount")),
                name="exchange_partnership_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.origin_currency} → {self.destination_currency}"

    @property
    def origin_currency(self):
        if self.direction == ExchangeDirection.EXCHANGE_OUT:
            return self.loyalty_currency
        return self.partner_currency

    @property
    def destination_currency(self):
        if self.direction == ExchangeDirection.EXCHANGE_OUT:
            return self.partner_currency
        return self.loyalty_currency


class Exchange(models.Model):
    """One executed exchange: the pair of member_exchange transactions it made.

    `origin_transaction` moves the origin member's units to the exchange partner's account in
    the origin currency; `destination_transaction` moves the partner's units in the destination
    currency to the destination member (pending_external_approval while a partner programme has
    not answered). Reports find both sides of an exchange here: the exchange CSV is one row per
    Exchange, read from the columns below that copy its transactions' ids, amounts, currencies
    and members (fixed once posted) with the exchange's external_reference and created_at; the
    refund of a rejected exchange marks it `refunded`.
    """

    public_id = models.CharField(
        "exchange id",
        max_length=PUBLIC_ID_MAX_LENGTH,
        unique=True,
        default=exchange_id,
        editable=False,
    )
    partnership = models.ForeignKey(
        ExchangePartnership, on_delete=models.PROTECT, related_name="exchanges"
    )
    origin_transaction = models.OneToOneField(
        "loyalty.Transaction", on_delete=models.PROTECT, related_name="exchange_as_origin"
    )
    destination_transaction = models.OneToOneField(
        "loyalty.Transaction", on_delete=models.PROTECT, related_name="exchange_as_destination"
    )
    external_reference = models.CharField(max_length=255, blank=True)
    created_by_partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.PROTECT, related_name="created_exchanges"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The exchange report's columns, written once with the exchange (a posted transaction's
    # amount, id and accounts never change): the report reads this row alone, in created_at
    # order, instead of joining two transactions, two accounts and two members per line.
    origin_amount = models.BigIntegerField(default=0)
    origin_loyalty_currency_code = models.CharField(max_length=64, blank=True)
    origin_transaction_public_id = models.CharField(max_length=PUBLIC_ID_MAX_LENGTH, blank=True)
    origin_membership_id = models.CharField(max_length=100, blank=True)
    destination_amount = models.BigIntegerField(default=0)
    destination_loyalty_currency_code = models.CharField(max_length=64, blank=True)
    destination_transaction_public_id = models.CharField(
        max_length=PUBLIC_ID_MAX_LENGTH, blank=True
    )
    destination_membership_id = models.CharField(max_length=100, blank=True)
    refunded = models.BooleanField(
        default=False,
        help_text="The destination programme rejected it and the member was refunded.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin_transaction=F("destination_transaction")),
                name="exchange_sides_differ",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id


class LinkedAccountSource(models.TextChoices):
    STAFF = "staff", "Recorded by staff"
    EXCHANGE = "exchange", "Confirmed by an exchange"


class LinkedAccount(models.Model):
    """A member's identifiers in another programme (the currency `loyalty_currency`).

    The linked-account exchanges use it: out, to credit that programme's account; in, to take
    units from it. `membership_number` is the other programme's account number and `fields` any
    further identifiers it requires (first name, ...). Recorded by staff, or when the first
    exchange to that programme is confirmed.
    """

    member = models.ForeignKey(
        "loyalty.Member", on_delete=models.CASCADE, related_name="linked_accounts"
    )
    loyalty_currency = models.ForeignKey(
        "loyalty.LoyaltyCurrency", on_delete=models.CASCADE, related_name="linked_accounts"
    )
    membership_number = models.CharField(max_length=100)
    family_name = models.CharField(max_length=150, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    fields = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=16, choices=LinkedAccountSource.choices, default=LinkedAccountSource.STAFF
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member", "loyalty_currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "loyalty_currency"], name="linked_account_one_per_programme"
            ),
            models.CheckConstraint(
                condition=~Q(membership_number=""), name="linked_account_number_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(source__in=LinkedAccountSource.values),
                name="linked_account_source_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loyalty_currency} {self.membership_number}"

    def identifiers(self) -> dict:
        """The member's loyalty_program_identifiers in the other programme."""
        values = {"id": self.membership_number, **self.fields}
        if self.family_name:
            values["family_name"] = self.family_name
        if self.first_name:
            values["first_name"] = self.first_name
        return values
