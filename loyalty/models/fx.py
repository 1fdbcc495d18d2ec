"""Fiat exchange rates, used to convert fiat amounts between currencies (e.g. fiat-convert)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from loyalty.models.currencies import iso4217


def validate_positive(value: Decimal) -> None:
    """A rate of zero would make its inverse undefined (the fxrate_rate_positive constraint)."""
    if value <= 0:
        raise ValidationError("The rate must be greater than zero.", code="not_positive")


class PriceType(models.TextChoices):
    """The contract's price_type: which fiat value of one loyalty unit a conversion uses.

    The first three are LoyaltyCurrency fields; custom_value comes with the request.
    """

    BASE_ECONOMIC_VALUE = "base_economic_value", "Base economic value"
    CUSTOMERS_PERCEIVED_VALUE = "customers_perceived_value", "Customer's perceived value"
    ISSUING_PARTNERS_COST = "issuing_partners_cost", "Issuing partner's cost"
    CUSTOM_VALUE = "custom_value", "Custom value"


# The LoyaltyCurrency field holding one unit's fiat value for each stored price type.
UNIT_VALUE_FIELDS = {
    PriceType.BASE_ECONOMIC_VALUE: "base_economic_value",
    PriceType.CUSTOMERS_PERCEIVED_VALUE: "customers_perceived_value",
    PriceType.ISSUING_PARTNERS_COST: "issuing_partners_cost",
}


class FxRate(models.Model):
    """The mid-day exchange rate of a currency pair on a date: 1 base = rate quote.

    One row per pair and date; a conversion uses the most recent rate on or before its date
    (within a maximum age), and the inverse pair as 1 / rate when only that one is stored.
    """

    base = models.CharField(max_length=3, validators=[iso4217], help_text="ISO 4217, e.g. EUR.")
    quote = models.CharField(max_length=3, validators=[iso4217], help_text="ISO 4217, e.g. USD.")
    date = models.DateField(help_text="The day the mid-day rate was published.")
    rate = models.DecimalField(
        max_digits=20,
        decimal_places=10,
        validators=[validate_positive],
        help_text="Units of the quote currency that one unit of the base currency buys.",
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the rate comes from, e.g. ECB."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "FX rate"
        ordering = ["-date", "base", "quote"]
        constraints = [
            models.UniqueConstraint(
                fields=["base", "quote", "date"], name="fxrate_pair_date_unique"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="fxrate_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")),
                name="fxrate_base_not_quote",
                violation_error_message="Base and quote must be different currencies.",
            ),
            models.CheckConstraint(
                condition=models.Q(base__regex=r"^[A-Z]{3}$", quote__regex=r"^[A-Z]{3}$"),
                name="fxrate_base_quote_iso4217",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: 1 {self.base} = {self.rate} {self.quote}"
