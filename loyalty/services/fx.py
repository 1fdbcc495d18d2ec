"""The fiat-convert service (rates from loyalty.selectors.fx_rate_get, arithmetic from
loyalty.conversion) and the CSV import of FX rates."""

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from loyalty.conversion import Conversion, fiat_to_loyalty, four_places
from loyalty.errors import FxRateMissing, InvalidCurrencyCode, InvalidCustomValue, InvalidPriceType
from loyalty.models import UNIT_VALUE_FIELDS, FxRate, LoyaltyCurrency, Partner, PriceType
from loyalty.selectors import fx_rate_get
from loyalty.services.partnerships import require_partnership

CSV_COLUMNS = ("date", "base", "quote", "rate")

_ISO4217 = re.compile(r"^[A-Z]{3}$")


def fiat_convert(
    *,
    loyalty_currency: LoyaltyCurrency,
    amount: Decimal,
    fiat_currency: str,
    price_type: str = PriceType.CUSTOMERS_PERCEIVED_VALUE,
    rounding: str | None = None,
    custom_value: Decimal | None = None,
    custom_value_currency: str | None = None,
    on: dt.date | None = None,
) -> Conversion:
    """How many units of `loyalty_currency` `amount` of `fiat_currency` buys (fiat-convert).

    The amount is converted into the currency's own fiat at the day's rate, divided by the value
    of one unit for `price_type` (also in the currency's own fiat) and rounded per `rounding`
    (the currency's default_rounding when None). exact_fiat_cost is the units' worth back in
    `fiat_currency`, at the same rate; loyalty_system_amount is the unit value in the currency's
    own fiat.
    """
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be a decimal.Decimal, not {type(amount).__name__}.")
    on = on or timezone.localdate()
    _require_iso4217(fiat_currency, field="fiat_currency")
    own_fiat = loyalty_currency.fiat_currency
    unit_value = _unit_value(
        loyalty_currency=loyalty_currency,
        price_type=price_type,
        custom_value=custom_value,
        custom_value_currency=custom_value_currency or fiat_currency,
        on=on,
    )
    rate = _rate(base=fiat_currency, quote=own_fiat, on=on, field="fiat_currency")
    conversion = fiat_to_loyalty(
        amount=amount * rate,
        unit_value=unit_value,
        rounding=rounding or loyalty_currency.default_rounding,
    )
    if rate == 1:
        return conversion
    cost = conversion.loyalty_amount * Fraction(unit_value) / Fraction(rate)
    return replace(conversion, exact_fiat_cost=four_places(cost))


def partner_fiat_convert(
    *, partner: Partner, loyalty_currency: LoyaltyCurrency, **request
) -> Conversion:
    """fiat_convert for a partner of the currency (contract operation 16); `request` is what
    fiat_convert takes besides the currency."""
    require_partnership(partner, loyalty_currency)
    return fiat_convert(loyalty_currency=loyalty_currency, **request)


def _unit_value(
    *,
    loyalty_currency: LoyaltyCurrency,
    price_type: str,
    custom_value: Decimal | None,
    custom_value_currency: str,
    on: dt.date,
) -> Decimal:
    """The fiat value of one unit for the price type, in the loyalty currency's own fiat."""
    if price_type in UNIT_VALUE_FIELDS:
        return getattr(loyalty_currency, UNIT_VALUE_FIELDS[price_type])
    if price_type != PriceType.CUSTOM_VALUE:
        raise InvalidPriceType(f"Use one of {', '.join(PriceType.values)} for price_type.")
    if custom_value is None:
        raise InvalidCustomValue("Give custom_value with price_type custom_value.")
    if not isinstance(custom_value, Decimal) or not custom_value.is_finite() or custom_value <= 0:
        raise InvalidCustomValue("custom_value must be a decimal number greater than zero.")
    _require_iso4217(custom_value_currency, field="custom_value_currency")
    own_fiat = loyalty_currency.fiat_currency
    rate = _rate(base=custom_value_currency, quote=own_fiat, on=on, field="custom_value_currency")
    return custom_value * rate


def _rate(*, base: str, quote: str, on: dt.date, field: str) -> Decimal:
    """fx_rate_get, with a missing rate blamed on the request field that named `base`."""
    try:
        return fx_rate_get(base=base, quote=quote, on=on)
    except FxRateMissing as exc:
        raise FxRateMissing(exc.message, field=field) from exc


def _require_iso4217(code: object, *, field: str) -> None:
    if not isinstance(code, str) or not _ISO4217.match(code):
        raise InvalidCurrencyCode(
            f"{field} must be a three-letter ISO 4217 code, e.g. EUR.", field=field
        )


@dataclass(frozen=True)
class RowError:
    """A refused CSV row: `row` is its line in the file, the header being line 1."""

    row: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: tuple[RowError, ...] = ()

    @property
    def imported(self) -> int:
        return self.created + self.updated


@transaction.atomic
def fx_rates_import_csv(*, file: IO, source: str) -> ImportResult:
    """Upsert the rates of a `date,base,quote,rate` CSV (UTF-8), all of them or none.

    Every row is checked first; if any is refused nothing is written and the result lists the
    errors. Otherwise each (base, quote, date) is created or has its rate and source replaced.
    """
    source = FxRate._meta.get_field("source").clean(source, None)
    rows, errors = _csv_rows(file)
    if errors:
        return ImportResult(errors=tuple(errors))
    keys = set(rows)
    existing = {
        (base, quote, date)
        for base, quote, date in FxRate.objects.filter(
            date__in={date for _, _, date in keys}
        ).values_list("base", "quote", "date")
    } & keys
    FxRate.objects.bulk_create(
        [
            FxRate(base=base, quote=quote, date=date, rate=rate, source=source)
            for (base, quote, date), rate in rows.items()
        ],
        update_conflicts=True,
        unique_fields=["base", "quote", "date"],
        update_fields=["rate", "source"],
    )
    return ImportResult(created=len(keys) - len(existing), updated=len(existing))


def _csv_rows(file: IO) -> tuple[dict[tuple[str, str, dt.date], Decimal], list[RowError]]:
    """The file's rates by (base, quote, date), and the errors of the rows that are not valid."""
    data = file.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            return {}, [RowError(line, "The file is not UTF-8 text.")]
    reader = csv.reader(io.StringIO(data, newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    if header != list(CSV_COLUMNS):
        return {}, [RowError(1, f"The first line must be the header {','.join(CSV_COLUMNS)}.")]
    rows: dict[tuple[str, str, dt.date], Decimal] = {}
    first_seen: dict[tuple[str, str, dt.date], int] = {}
    errors: list[RowError] = []
    for values in reader:
        if not values:
            continue
        try:
            key, rate = _csv_row(values)
        except ValidationError as exc:
            errors.extend(RowError(reader.line_num, message) for message in exc.messages)
            continue
        if key in first_seen:
            errors.append(RowError(reader.line_num, f"Repeats the rate of line {first_seen[key]}."))
            continue
        first_seen[key] = reader.line_num
        rows[key] = rate
    if not rows and not errors:
        errors.append(RowError(1, "The file holds no rates."))
    return rows, errors


def _csv_row(values: list[str]) -> tuple[tuple[str, str, dt.date], Decimal]:
    """One row, checked by the model's own fields so that it reads as the admin form would."""
    if len(values) != len(CSV_COLUMNS):
        raise ValidationError(
            f"Expected {len(CSV_COLUMNS)} values ({','.join(CSV_COLUMNS)}), found {len(values)}."
        )
    raw = dict(zip(CSV_COLUMNS, (value.strip() for value in values), strict=True))
    raw["base"], raw["quote"] = raw["base"].upper(), raw["quote"].upper()
    cleaned, messages = {}, []
    for name in CSV_COLUMNS:
        try:
            cleaned[name] = FxRate._meta.get_field(name).clean(raw[name], None)
        except ValidationError as exc:
            messages.extend(f"{name}: {message}" for message in exc.messages)
    if not messages and cleaned["base"] == cleaned["quote"]:
        messages.append("Base and quote must be different currencies.")
    if messages:
        raise ValidationError(messages)
    return (cleaned["base"], cleaned["quote"], cleaned["date"]), cleaned["rate"]
