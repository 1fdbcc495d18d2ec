"""The gift-card app's refusals (DomainErrors, so the API and the admin answer them as the core
domain's); each name is defined here once."""

from loyalty.errors import DomainError, NotFound


class GiftCardNotFound(NotFound):
    """Unknown, disabled, or not one the caller may sell or manage: the same answer."""

    field = "id"


class GiftCardCodeNotFound(DomainError):
    """An unknown code, a wrong PIN or another retailer's code: one answer for all three."""

    code = "invalid_gift_card_code"
    field = "gift_card_code"


class GiftCardLookupsThrottled(DomainError):
    """Too many failed code lookups this minute (guessing codes must not pay)."""

    code = "throttled"
    field = "gift_card_code"
    http_status = 429


class GiftCardInvalid(DomainError):
    """A catalogue entry that does not hold together (admin forms, demo data)."""


class GiftCardAmountInvalid(DomainError):
    """A fiat or loyalty amount the card does not sell (not a denomination, outside min/max)."""

    code = "invalid_amount"
    field = "fiat_amount"


class GiftCardCurrencyNotAccepted(DomainError):
    """The card cannot be bought with this loyalty currency (or the caller may not sell it)."""

    code = "currency_not_accepted"
    field = "loyalty_currency"


class GiftCardOutOfStock(DomainError):
    code = "out_of_stock"
    field = "fiat_amount"


class GiftCardCodeUnusable(DomainError):
    """Expired, cancelled, not issued, already redeemed, or the wrong brand or channel."""

    code = "gift_card_code_unusable"
    field = "gift_card_code"


class GiftCardBalanceInsufficient(DomainError):
    code = "insufficient_balance"
    field = "fiat_amount"


class GiftCardReferenceReused(DomainError):
    """The external_reference of an earlier redemption of another code."""

    code = "duplicate_external_reference"
    field = "external_reference"


class GiftCardCodeNotCancellable(DomainError):
    code = "not_cancellable"
    field = "gift_card_code"


class GiftCardImportInvalid(DomainError):
    """A code file that cannot be read at all (not CSV/XLSX, no header)."""

    code = "invalid_file"
    field = "file"
