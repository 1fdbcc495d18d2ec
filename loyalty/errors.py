"""Every refusal of the core domain, in one place: a message, a machine code and the field at fault.

The partner API turns any DomainError into its `http_status` (400 unless a class says otherwise)
in the contract's error shape (`{"errors": [{"message", "field", "code"}]}`), and the admin shows
its message, so services raise these and never HTTP or form errors. Each name is defined here
once; the groups follow the modules that raise them.
"""


class DomainError(Exception):
    code = "invalid"
    field: str | None = None
    http_status = 400  # the partner API's answer; scope errors use 403 and 404

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
        if code is not None:
            self.code = code


class NotFound(DomainError):
    """The caller may not see it, or it does not exist: the same answer for both."""

    code = "not_found"
    http_status = 404


class Forbidden(DomainError):
    """Outside the caller's partnerships or ownership."""

    code = "permission_denied"
    http_status = 403


# Lookups of the partner API's references (loyalty.selectors) ---------------------------------


class UnknownCurrency(DomainError):
    code = "does_not_exist"
    field = "loyalty_currency"


class InvalidMemberIdentifiers(DomainError):
    """loyalty_program_identifiers without a membership number (`id`)."""

    code = "invalid"
    field = "loyalty_program_identifiers"


class MemberNotFound(DomainError):
    """A 400 where the member is a request field (accruals, rule triggers); lookups of the
    member itself answer MemberNotFoundLookup (404) instead."""

    code = "member_does_not_exist"
    field = "member"


class MemberNotFoundLookup(NotFound):
    code = "member_does_not_exist"
    field = "loyalty_program_identifiers"


class AccountNotFound(DomainError):
    """An origin or destination naming no account of the request's currency (a 400)."""

    code = "does_not_exist"


class NoIssuingAccount(DomainError):
    code = "no_issuing_account"
    field = "loyalty_currency"


class TransactionNotFound(NotFound):
    field = "id"


# The ledger (loyalty.ledger) -----------------------------------------------------------------


class LedgerError(DomainError):
    """A refused ledger operation."""

    code = "ledger_error"


class InvalidAmount(LedgerError):
    code = "invalid_amount"
    field = "amount"


class InsufficientFunds(LedgerError):
    code = "insufficient_funds"
    field = "amount"


class InactiveAccountOwner(LedgerError):
    code = "inactive_account_owner"


class CurrencyMismatch(LedgerError):
    code = "currency_mismatch"
    field = "loyalty_currency"


class InvalidTransactionState(LedgerError):
    code = "invalid_transaction_state"


class InvalidReleaseDate(LedgerError):
    code = "invalid_release_date"
    field = "release_date"


class ReasonRequired(LedgerError):
    """A staff correction without a reason."""

    code = "reason_required"
    field = "reason"


# Movements asked for by partners (loyalty.services.transactions) ------------------------------


class InvalidOrigin(DomainError):
    """An origin the operation does not take (a member's account as an accrual's origin)."""

    code = "invalid_origin"
    field = "origin"


class InvalidTransfer(DomainError):
    code = "invalid_transfer"
    field = "destination"


# Conversions and FX (loyalty.conversion, loyalty.services.fx) --------------------------------


class ConversionError(DomainError):
    """A refused conversion; `field` names the fiat-convert request field at fault."""

    code = "conversion_error"


class InvalidFiatAmount(ConversionError):
    code = "invalid_amount"
    field = "amount"


class InvalidUnitValue(ConversionError):
    code = "invalid_unit_value"
    field = "price_type"


class InvalidRounding(ConversionError):
    code = "invalid_rounding"
    field = "rounding"


class FxRateMissing(ConversionError):
    """No usable rate for a currency pair on a date (none stored, or all older than the limit)."""

    code = "fx_rate_missing"
    field = "fiat_currency"


class InvalidCurrencyCode(ConversionError):
    code = "invalid_currency"
    field = "fiat_currency"


class InvalidPriceType(ConversionError):
    code = "invalid_price_type"
    field = "price_type"


class InvalidCustomValue(ConversionError):
    code = "invalid_custom_value"
    field = "custom_value"


# Members and currencies (loyalty.services.members, loyalty.services.accounts) -----------------


class MemberInvalid(DomainError):
    """A profile the model refuses (e.g. a field too long), named by its field."""


class UnknownTier(DomainError):
    code = "does_not_exist"
    field = "tier"


class CurrencyInvalid(DomainError):
    """A currency the model refuses (e.g. a code already taken), named by its field."""


class NotHosted(DomainError):
    """The members of an external currency are kept by its own programme."""

    code = "not_hosted"
    field = "loyalty_currency"


# Rules and cohorts (loyalty.services.purchase_rules, loyalty.services.cohorts) ---------------


class ExecutionNotFound(NotFound):
    field = "id"


class InvalidExecutionState(DomainError):
    code = "invalid_execution_state"
    field = "id"


class CohortNotFound(NotFound):
    field = "cohort_id"


class RuleNotFound(NotFound):
    field = "rule_id"


# Standard redemptions (loyalty.services.redemptions) ----------------------------------------


class RedemptionError(DomainError):
    """A refused standard redemption, its adjustment or its cancellation."""

    code = "redemption_error"
    field = "redemption_items"


class CategoryNotAllowed(RedemptionError):
    """An item in a category the partner does not accept the currency for."""

    code = "category_not_allowed"


class TooManyRedemptionItems(RedemptionError):
    code = "too_many_items"


class MixedFiatCurrencies(RedemptionError):
    """Items priced in more than one fiat currency: a redemption has one total."""

    code = "mixed_fiat_currencies"


class RedemptionAmountOutOfRange(RedemptionError):
    """A total below the partnership's minimum or above its maximum (or of no units at all)."""

    code = "amount_out_of_range"


class AdjustmentNotAllowed(RedemptionError):
    """The partnership does not allow redemptions to be adjusted or cancelled."""

    code = "adjustment_not_allowed"
    field = "previous_transaction_id"


class NotARedemption(RedemptionError):
    code = "not_a_standard_redemption"
    field = "previous_transaction_id"


class NotLatestRedemption(RedemptionError):
    """previous_transaction_id (or its external reference) is not the chain's latest link."""

    code = "not_latest_redemption"
    field = "previous_transaction_id"


class RedemptionAlreadyCancelled(RedemptionError):
    code = "already_cancelled"
    field = "previous_transaction_id"


class RedemptionMemberMismatch(RedemptionError):
    code = "member_mismatch"
    field = "member"


class AdjustmentUnchanged(RedemptionError):
    """An adjustment whose new total is the chain's current one: there is nothing to move."""

    code = "adjustment_unchanged"


class SecretUndecryptable(DomainError):
    """No configured CREDENTIALS_ENCRYPTION_KEY decrypts a stored secret (a key was dropped
    before `reencrypt_secrets` ran, or the database came from another installation)."""

    code = "secret_undecryptable"


# Exchanges and forwarding (loyalty.services.exchanges, loyalty.services.forwarding) ---------


class ExchangeNotAvailable(DomainError):
    """No exchange partnership between the two currencies that the caller takes part in: the
    same answer whether one exists for others or not."""

    code = "exchange_not_available"
    field = "destination_loyalty_currency"


class ExchangeDisabled(DomainError):
    code = "exchange_disabled"
    field = "destination_loyalty_currency"


class ExchangeAmountOutOfRange(DomainError):
    code = "amount_out_of_range"
    field = "amount"


class ExchangeAmountTooSmall(DomainError):
    """The conversion rounds down to no destination unit at all."""

    code = "amount_too_small"
    field = "amount"


class ProgrammeCannotDebit(DomainError):
    """Units cannot be taken from an external programme whose connector only credits."""

    code = "programme_cannot_debit"
    field = "origin_loyalty_currency"


class LinkedAccountMissing(DomainError):
    code = "no_linked_account"


class ExchangeFieldsMissing(DomainError):
    """A member identifier the destination programme requires is missing."""

    code = "required"
    field = "destination_member"


class ForwardingClosed(DomainError):
    """A retry or a give-up of a forwarding record that is no longer open (or no longer dead)."""

    code = "forwarding_closed"
