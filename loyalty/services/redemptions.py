"""Standard redemptions (contract operations 17-20): a member pays a redemption partner with
points; the redemption may then be adjusted and cancelled, as one chain of transactions.

A chain starts with a `redemption` transaction of sub-type standard from the member to the
partner's account. Each adjustment marks the chain's latest link `adjusted` and adds a
redemption transaction (adjustment_increase from the member, adjustment_decrease back to the
member) that moves the difference; a cancellation marks the latest link `cancelled` and gives
the member back the chain's whole current total. Each new link names the one it follows
(Transaction.previous) and the chain's original in its related_data, as the contract shows it.
The member is charged, at every moment, exactly the latest link's total (zero once cancelled).

Prices come from the partner's redemption partnership (loyalty.models.redemptions): the
categories it accepts, the fiat value of one point in each (tier-aware), min/max units per
redemption and whether adjustments and cancellations are allowed. Fiat amounts in another fiat
than the currency's own are converted with the day's FxRate (loyalty.services.fx).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils import timezone

from loyalty import caching, ledger
from loyalty.errors import (
    AdjustmentNotAllowed,
    AdjustmentUnchanged,
    CategoryNotAllowed,
    Forbidden,
    InvalidTransactionState,
    MixedFiatCurrencies,
    NoIssuingAccount,
    NotARedemption,
    NotLatestRedemption,
    RedemptionAlreadyCancelled,
    RedemptionAmountOutOfRange,
    RedemptionMemberMismatch,
    TooManyRedemptionItems,
)
from loyalty.models import (
    UNIT_VALUE_FIELDS,
    Account,
    LoyaltyCurrency,
    Member,
    Partner,
    PartnershipType,
    PriceType,
    RedemptionCategory,
    RedemptionPartnership,
    RedemptionPrice,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import (
    fx_rate_get,
    issuing_account,
    member_account_get,
    member_get,
    visible_transaction_get,
)
from loyalty.services.accounts import partner_account_get_or_create
from loyalty.services.fx import fiat_convert
from loyalty.services.partnerships import is_owner, require_partnership
from loyalty.unit_of_work import atomic

MAX_ITEMS = 50
# The most units one redemption moves: far beyond any real one, well within a BIGINT.
MAX_UNITS = 2**62
CENT = Decimal("0.01")
# The sub-types of a chain's links, and those after which it may still change.
CHAIN_SUB_TYPES = (
    TransactionSubType.STANDARD,
    TransactionSubType.ADJUSTMENT_INCREASE,
    TransactionSubType.ADJUSTMENT_DECREASE,
    TransactionSubType.CANCELLATION,
)
CHAIN_RELATED_DATA_TYPES = (
    "standard_redemption",
    "standard_redemption_adjustment",
    "standard_redemption_cancellation",
)
# Item fields kept in related_data besides category, amounts and currency.
ITEM_DETAILS = (
    "channel",
    "country",
    "metadata",
    "product_code",
    "product_description",
    "promotion_code",
    "sub_category",
)


def money(value: Decimal) -> str:
    """A fiat amount on the wire: two decimals ("20.00"), more only where they are not zero."""
    normal = value.normalize()
    return str(normal.quantize(CENT) if normal.as_tuple().exponent >= -2 else normal)


@dataclass(frozen=True)
class PricedItem:
    """One redemption item with both its amounts: `fiat_amount` in `fiat_currency` (the
    redemption's) and the points it costs."""

    category: str
    fiat_amount: Decimal
    fiat_currency: str
    loyalty_amount: int
    details: dict[str, Any]

    def data(self) -> dict[str, Any]:
        """The item as related_data and the responses show it."""
        return {
            "category": self.category,
            "fiat_amount": money(self.fiat_amount),
            "fiat_currency": self.fiat_currency,
            "loyalty_amount": self.loyalty_amount,
            **self.details,
        }


@dataclass(frozen=True)
class RedemptionQuote:
    """What a list of items costs under a partnership, for a member's tier."""

    partnership: RedemptionPartnership
    items: tuple[PricedItem, ...]
    total_loyalty_amount: int
    total_fiat_amount: Decimal
    fiat_currency: str


@dataclass(frozen=True)
class RedemptionSimulation:
    quote: RedemptionQuote
    member: Member | None
    sufficient_balance: bool | None
    maximum_fiat_balance: Decimal | None


@dataclass(frozen=True)
class RedemptionRecord:
    """A link written by execute, adjust or cancel, with the quote it charged (none for a
    cancellation) and, for an adjustment, the differences to the link it follows."""

    transaction: Transaction
    member: Member
    partnership: RedemptionPartnership
    quote: RedemptionQuote | None = None
    previous: Transaction | None = None
    loyalty_amount_difference: int = 0
    fiat_amount_difference: Decimal = Decimal(0)


# Pricing -------------------------------------------------------------------------------------


def redemption_partnership_get(
    *, partner: Partner | int, loyalty_currency: LoyaltyCurrency
) -> RedemptionPartnership:
    """The partner's enabled redemption partnership in the currency, with its prices (cached
    per process, see loyalty.caching: callers treat it as read-only); a 403 when there is none
    (the currency owner too needs one to be priced)."""
    partner_id = partner if isinstance(partner, int) else partner.pk

    def load() -> RedemptionPartnership | None:
        return (
            RedemptionPartnership.objects.filter(
                partner_id=partner_id, loyalty_currency=loyalty_currency, enabled=True
            )
            .select_related("partner", "loyalty_currency")
            .prefetch_related("redemption_prices__tier_prices")
            .first()
        )

    partnership = caching.cached("redemption-partnership", (partner_id, loyalty_currency.pk), load)
    if partnership is None:
        raise Forbidden(
            f"You have no redemption partnership with {loyalty_currency.code}.",
            field="loyalty_currency",
        )
    return partnership


def redemption_member_get(
    *, partner: Partner, loyalty_currency: LoyaltyCurrency, identifiers: dict
) -> Account:
    """The account of the member a redemption would charge, with the member, its tier and its
    balance (`account_balance`, as loyalty.selectors.members_with_balance annotates it)
    attached, for a partner allowed to redeem in the currency: read before the redemption
    (which takes it as `member_account`), so that its answer is prepared before the member's
    account is locked."""
    require_partnership(partner, loyalty_currency, PartnershipType.REDEMPTION)
    redemption_partnership_get(partner=partner, loyalty_currency=loyalty_currency)
    account = member_account_get(loyalty_currency=loyalty_currency, identifiers=identifiers)
    member = account.member
    member.account_balance = account.balance  # as members_with_balance annotates it
    member.loyalty_currency = loyalty_currency
    return account


def _unit_value(price: RedemptionPrice, currency: LoyaltyCurrency, tier_id: int | None) -> Decimal:
    """One point's fiat value in the category, in the currency's own fiat, for the tier."""
    for tier_price in price.tier_prices.all():
        if tier_id is not None and tier_price.tier_id == tier_id:
            return tier_price.unit_value
    if price.price_type == PriceType.CUSTOM_VALUE:
        return price.custom_value
    return getattr(currency, UNIT_VALUE_FIELDS[price.price_type])


def _prices(partnership: RedemptionPartnership) -> dict[str, RedemptionPrice]:
    return {price.category: price for price in partnership.redemption_prices.all()}


def _price_of(
    prices: dict[str, RedemptionPrice], partnership: RedemptionPartnership, category: str
) -> RedemptionPrice:
    price = prices.get(category)
    if price is None:
        accepted = ", ".join(sorted(prices)) or "none"
        raise CategoryNotAllowed(
            f"{partnership.partner} does not accept {partnership.loyalty_currency.code} for "
            f"{category!r}; accepted categories: {accepted}."
        )
    return price


def redemption_quote(
    *,
    partnership: RedemptionPartnership,
    items: list[dict],
    tier_id: int | None,
    on: dt.date | None = None,
) -> RedemptionQuote:
    """Price `items` (the contract's Fiat Amount or Loyalty amount items) for a member of the
    tier: each category must be accepted, the fiat items share one fiat currency (that of the
    total; the currency's own fiat when all items are in points), and the total lies within the
    partnership's minimum and maximum. Reads only."""
    if not items:
        raise RedemptionAmountOutOfRange("Give at least one redemption item.")
    if len(items) > MAX_ITEMS:
        raise TooManyRedemptionItems(f"A redemption has at most {MAX_ITEMS} items.")
    on = on or timezone.localdate()
    currency = partnership.loyalty_currency
    prices = _prices(partnership)
    fiats = {item["fiat_currency"] for item in items if "fiat_amount" in item}
    if len(fiats) > 1:
        raise MixedFiatCurrencies(
            f"The items are priced in {', '.join(sorted(fiats))}: a redemption's fiat amounts "
            "are in one fiat currency."
        )
    fiat_currency = fiats.pop() if fiats else currency.fiat_currency
    priced = []
    for item in items:
        category = item.get("category") or RedemptionCategory.GENERAL
        price = _price_of(prices, partnership, category)
        unit_value = _unit_value(price, currency, tier_id)
        details = {key: item[key] for key in ITEM_DETAILS if key in item}
        if "fiat_amount" in item:
            fiat_amount = item["fiat_amount"]
            points = fiat_convert(
                loyalty_currency=currency,
                amount=fiat_amount,
                fiat_currency=fiat_currency,
                price_type=PriceType.CUSTOM_VALUE,
                custom_value=unit_value,
                custom_value_currency=currency.fiat_currency,
                rounding=price.rounding,
                on=on,
            ).loyalty_amount
        else:
            points = item["loyalty_amount"]
            rate = fx_rate_get(base=currency.fiat_currency, quote=fiat_currency, on=on)
            fiat_amount = (points * unit_value * rate).quantize(CENT, ROUND_HALF_EVEN)
        priced.append(PricedItem(category, fiat_amount, fiat_currency, points, details))
    total = sum(item.loyalty_amount for item in priced)
    _require_within_limits(partnership, total)
    return RedemptionQuote(
        partnership=partnership,
        items=tuple(priced),
        total_loyalty_amount=total,
        total_fiat_amount=sum((item.fiat_amount for item in priced), Decimal(0)),
        fiat_currency=fiat_currency,
    )


def _require_within_limits(partnership: RedemptionPartnership, total: int) -> None:
    low = partnership.minimum_member_transaction_amount
    high = partnership.maximum_member_transaction_amount
    if total <= 0:
        raise RedemptionAmountOutOfRange("The items cost no units: there is nothing to redeem.")
    if total > MAX_UNITS:
        raise RedemptionAmountOutOfRange(f"A redemption moves at most {MAX_UNITS} units.")
    if low is not None and total < low:
        raise RedemptionAmountOutOfRange(
            f"The redemption costs {total} units; the minimum per redemption is {low}."
        )
    if high is not None and total > high:
        raise RedemptionAmountOutOfRange(
            f"The redemption costs {total} units; the maximum per redemption is {high}."
        )


def _balance_value(
    quote: RedemptionQuote, balance: int, tier_id: int | None, on: dt.date
) -> Decimal:
    """What `balance` points buy in fiat at the general price (else the first item's), in the
    redemption's fiat currency, rounded down to the cent."""
    partnership, currency = quote.partnership, quote.partnership.loyalty_currency
    prices = _prices(partnership)
    price = prices.get(RedemptionCategory.GENERAL) or prices[quote.items[0].category]
    rate = fx_rate_get(base=currency.fiat_currency, quote=quote.fiat_currency, on=on)
    return (balance * _unit_value(price, currency, tier_id) * rate).quantize(CENT, ROUND_DOWN)


# Operations ----------------------------------------------------------------------------------


def redemption_simulate(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    items: list[dict],
    member: dict | None = None,
    on: dt.date | None = None,
) -> RedemptionSimulation:
    """What the items would cost (POST /redemptions/standard/simulate); writes nothing. With a
    member: at its tier's prices, whether its balance covers them and the fiat value of its
    balance (that value only for a caller that may see balances)."""
    require_partnership(partner, loyalty_currency, PartnershipType.REDEMPTION)
    partnership = redemption_partnership_get(partner=partner, loyalty_currency=loyalty_currency)
    on = on or timezone.localdate()
    if member is None:
        quote = redemption_quote(partnership=partnership, items=items, tier_id=None, on=on)
        return RedemptionSimulation(quote, None, None, None)
    account = member_account_get(loyalty_currency=loyalty_currency, identifiers=member)
    found = account.member
    quote = redemption_quote(partnership=partnership, items=items, tier_id=found.tier_id, on=on)
    visible = is_owner(partner, loyalty_currency) or loyalty_currency.balances_visible_to_partners
    return RedemptionSimulation(
        quote=quote,
        member=found,
        sufficient_balance=account.balance >= quote.total_loyalty_amount,
        maximum_fiat_balance=(
            _balance_value(quote, account.balance, found.tier_id, on) if visible else None
        ),
    )


def _partner_account(partner: Partner, currency: LoyaltyCurrency) -> Account:
    """Where the partner's redemptions go: its default account in the currency (opened on its
    first redemption)."""
    try:
        return issuing_account(partner=partner, loyalty_currency=currency)
    except NoIssuingAccount:
        return partner_account_get_or_create(partner=partner, loyalty_currency=currency)


@atomic
def redemption_execute(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    member: dict,
    items: list[dict],
    external_reference: str,
    reason: str,
    member_account: Account | None = None,
    now: dt.datetime | None = None,
    late_debit: bool = False,
    **details: Any,
) -> RedemptionRecord:
    """One redemption transaction (sub-type standard) from the member to the partner's
    account (POST /redemptions/standard). `details` are metadata and loyalty_system_data;
    `member_account` is the account redemption_member_get found for `member`, if the caller
    read it already. `late_debit` defers the member's debit to the end of the unit of work
    (ledger.post), for a caller that does not show the member's new balance.
    Refused, with nothing written, for a category the partnership does not accept, a total
    outside its limits, an inactive member or a balance that does not cover the total."""
    require_partnership(partner, loyalty_currency, PartnershipType.REDEMPTION)
    partnership = redemption_partnership_get(partner=partner, loyalty_currency=loyalty_currency)
    now = now or timezone.now()
    account = member_account or member_account_get(
        loyalty_currency=loyalty_currency, identifiers=member
    )
    quote = redemption_quote(
        partnership=partnership,
        items=items,
        tier_id=account.member.tier_id,
        on=timezone.localdate(now),
    )
    tx = ledger.post(
        origin=account,
        destination=_partner_account(partner, loyalty_currency),
        amount=quote.total_loyalty_amount,
        type=TransactionType.REDEMPTION,
        sub_type=TransactionSubType.STANDARD,
        created_by_partner=partner,
        now=now,
        late_debit=late_debit,
        external_reference=external_reference,
        reason=reason,
        related_data={
            "type": "standard_redemption",
            "external_reference": external_reference,
            "redemption_items": [item.data() for item in quote.items],
            "total_fiat_amount": money(quote.total_fiat_amount),
        },
        **details,
    )
    return RedemptionRecord(
        transaction=tx, member=account.member, partnership=partnership, quote=quote
    )


@dataclass(frozen=True)
class _Chain:
    latest: Transaction
    original: Transaction
    partnership: RedemptionPartnership
    member_account: Account
    total_loyalty_amount: int
    total_fiat_amount: Decimal
    fiat_currency: str


def _require_redemption_scope(partner: Partner) -> None:
    """Before any lookup: only a currency owner or a redemption partner changes redemptions."""
    owns = partner.owned_currencies.exists()
    if (
        not owns
        and not RedemptionPartnership.objects.filter(partner=partner, enabled=True).exists()
    ):
        raise Forbidden("You have no redemption partnership.")


def redemption_chain(*, partner: Partner, public_id: str, external_reference: str) -> _Chain:
    """The chain whose latest link the partner names (previous_transaction_id and
    previous_external_reference), checked: a standard redemption's link that the partner may
    see (else a 404), made by the partner or in a currency it owns (else a 403), the latest
    one (else a 400 naming the latest) and not cancelled."""
    _require_redemption_scope(partner)
    link = visible_transaction_get(partner=partner, public_id=public_id)
    kind = (link.related_data or {}).get("type") if isinstance(link.related_data, dict) else None
    if (
        link.type != TransactionType.REDEMPTION
        or link.sub_type not in CHAIN_SUB_TYPES
        or kind not in CHAIN_RELATED_DATA_TYPES
    ):
        raise NotARedemption(
            f"Transaction {public_id} is not a standard redemption made through this API."
        )
    if link.sub_type == TransactionSubType.STANDARD:
        original = link
    else:
        original = Transaction.objects.select_related(
            "origin_account__member", "destination_account__partner"
        ).get(public_id=link.related_data["original_redemption_transaction_id"])
    currency = link.loyalty_currency
    if original.created_by_partner_id != partner.pk and not is_owner(partner, currency):
        raise Forbidden(
            "Only the partner that made the redemption, or the currency's owner, can change it.",
            field="previous_transaction_id",
        )
    latest = link
    while (following := Transaction.objects.filter(previous=latest).first()) is not None:
        latest = following
    if latest.sub_type == TransactionSubType.CANCELLATION:
        raise RedemptionAlreadyCancelled(
            f"The redemption {original.public_id} was cancelled by {latest.public_id}."
        )
    if latest.pk != link.pk:
        raise NotLatestRedemption(
            f"Transaction {public_id} is not the latest of its redemption: send "
            f"previous_transaction_id {latest.public_id} and previous_external_reference "
            f"{latest.external_reference!r}."
        )
    if link.external_reference != external_reference:
        raise NotLatestRedemption(
            f"Transaction {public_id} has the external reference {link.external_reference!r}, "
            f"not {external_reference!r}.",
            field="previous_external_reference",
        )
    if link.status != TransactionStatus.COMPLETED:
        raise NotARedemption(f"Transaction {public_id} is {link.status}; it cannot be changed.")
    try:
        partnership = redemption_partnership_get(
            partner=original.destination_account.partner_id, loyalty_currency=currency
        )
    except Forbidden:
        partnership = None
    if partnership is None or not partnership.adjustment_allowed:
        raise AdjustmentNotAllowed(
            f"{currency.code} does not allow this partner's redemptions to be adjusted or "
            "cancelled."
        )
    data = link.related_data
    items = data["redemption_items"]
    return _Chain(
        latest=link,
        original=original,
        partnership=partnership,
        member_account=original.origin_account,
        total_loyalty_amount=(
            link.amount
            if link.sub_type == TransactionSubType.STANDARD
            else data["total_loyalty_amount"]
        ),
        total_fiat_amount=Decimal(data["total_fiat_amount"]),
        fiat_currency=items[0]["fiat_currency"] if items else currency.fiat_currency,
    )


def _supersede(chain: _Chain, **moves: Any) -> Transaction:
    """ledger.supersede on the chain's latest link; a concurrent change of the same link that
    won the race is answered as a request that named an outdated link."""
    try:
        return ledger.supersede(transaction=chain.latest, **moves)
    except InvalidTransactionState as exc:
        raise NotLatestRedemption(
            f"Transaction {chain.latest.public_id} was changed meanwhile; it is no longer the "
            "latest of its redemption."
        ) from exc


@atomic
def redemption_adjust(
    *,
    partner: Partner,
    member: dict,
    previous_transaction_id: str,
    previous_external_reference: str,
    new_external_reference: str,
    items: list[dict],
    reason: str,
    now: dt.datetime | None = None,
    **details: Any,
) -> RedemptionRecord:
    """Reprice the redemption with its new items (POST /redemptions/standard/adjust): the
    latest link becomes `adjusted` and a redemption transaction of sub-type
    adjustment_increase (from the member) or adjustment_decrease (to the member) moves the
    difference. Refused when the partnership does not allow adjustments, when the total does
    not change, or when the fiat currency would."""
    chain = redemption_chain(
        partner=partner,
        public_id=previous_transaction_id,
        external_reference=previous_external_reference,
    )
    currency = chain.partnership.loyalty_currency
    member_account = chain.member_account
    named = member_get(loyalty_currency=currency, identifiers=member)
    if named.pk != member_account.member_id:
        raise RedemptionMemberMismatch(
            f"The redemption {chain.original.public_id} is not this member's."
        )
    now = now or timezone.now()
    quote = redemption_quote(
        partnership=chain.partnership,
        items=items,
        tier_id=named.tier_id,
        on=timezone.localdate(now),
    )
    if quote.fiat_currency != chain.fiat_currency:
        raise MixedFiatCurrencies(
            f"The redemption is in {chain.fiat_currency}; its adjustment cannot be in "
            f"{quote.fiat_currency}."
        )
    difference = quote.total_loyalty_amount - chain.total_loyalty_amount
    if difference == 0:
        raise AdjustmentUnchanged(
            f"The items cost {quote.total_loyalty_amount} units, as the redemption already "
            "does: there is nothing to adjust."
        )
    fiat_difference = quote.total_fiat_amount - chain.total_fiat_amount
    partner_account = _chain_partner_account(chain)
    member_pays = difference > 0
    tx = _supersede(
        chain,
        status=TransactionStatus.ADJUSTED,
        origin=member_account if member_pays else partner_account,
        destination=partner_account if member_pays else member_account,
        amount=abs(difference),
        type=TransactionType.REDEMPTION,
        sub_type=(
            TransactionSubType.ADJUSTMENT_INCREASE
            if member_pays
            else TransactionSubType.ADJUSTMENT_DECREASE
        ),
        check_owners=member_pays,
        created_by_partner=partner,
        now=now,
        external_reference=new_external_reference,
        reason=reason,
        related_data={
            "type": "standard_redemption_adjustment",
            "external_reference": new_external_reference,
            "original_redemption_transaction_id": chain.original.public_id,
            "previous_transaction_id": chain.latest.public_id,
            "redemption_items": [item.data() for item in quote.items],
            "total_fiat_amount": money(quote.total_fiat_amount),
            "total_loyalty_amount": quote.total_loyalty_amount,
            "transaction_fiat_amount": money(abs(fiat_difference)),
        },
        **details,
    )
    return RedemptionRecord(
        transaction=tx,
        member=named,
        partnership=chain.partnership,
        quote=quote,
        previous=chain.latest,
        loyalty_amount_difference=difference,
        fiat_amount_difference=fiat_difference,
    )


def _chain_partner_account(chain: _Chain) -> Account:
    """The partner's account of the chain: the other account of its latest link."""
    link = chain.latest
    other = (
        link.destination_account
        if link.origin_account_id == chain.member_account.pk
        else link.origin_account
    )
    return other


@atomic
def redemption_cancel(
    *,
    partner: Partner,
    previous_transaction_id: str,
    previous_external_reference: str,
    reason: str,
    now: dt.datetime | None = None,
    **details: Any,
) -> RedemptionRecord:
    """Cancel the redemption (POST /redemptions/standard/cancel): its latest link becomes
    `cancelled` and a redemption transaction of sub-type cancellation gives the member back
    what the chain took. Refused when the partnership does not allow it, or a second time."""
    chain = redemption_chain(
        partner=partner,
        public_id=previous_transaction_id,
        external_reference=previous_external_reference,
    )
    member_account = chain.member_account
    tx = _supersede(
        chain,
        status=TransactionStatus.CANCELLED,
        origin=_chain_partner_account(chain),
        destination=member_account,
        amount=chain.total_loyalty_amount,
        type=TransactionType.REDEMPTION,
        sub_type=TransactionSubType.CANCELLATION,
        check_owners=False,
        created_by_partner=partner,
        now=now,
        external_reference=previous_external_reference,
        reason=reason,
        related_data={
            "type": "standard_redemption_cancellation",
            "original_redemption_transaction_id": chain.original.public_id,
            "previous_transaction_id": chain.latest.public_id,
            "total_fiat_amount": money(chain.total_fiat_amount),
        },
        **details,
    )
    return RedemptionRecord(
        transaction=tx,
        member=member_account.member,
        partnership=chain.partnership,
        previous=chain.latest,
    )
