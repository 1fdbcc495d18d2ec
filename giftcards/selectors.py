"""Reads of the gift-card app, shared by the partner API and the admin.

Who sees what: a partner may *sell* a card (list it, simulate, issue) when it is the card's
retailer, or owns or holds a redemption partnership in a loyalty currency the card is priced in;
it *manages* a code (validate, redeem, cancel) only as the card's retailer; it reads the
inventory and issued-code reports as the retailer or as the owner of a currency the card sells
in.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from giftcards.errors import GiftCardNotFound
from giftcards.models import (
    CodeStatus,
    DenominationType,
    GiftCard,
    GiftCardCode,
    GiftCardDenomination,
    GiftCardPrice,
    Provider,
)
from loyalty import caching
from loyalty.models import Partner, Partnership, PartnershipType
from loyalty.services.partnerships import has_partnership

SELLING_PARTNERSHIPS = (
    PartnershipType.REDEMPTION,
    PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION,
)
OPEN = "open"  # the inventory's key for codes without a denomination (open cards)


def _prices_sellable_by(partner: Partner) -> QuerySet[GiftCardPrice]:
    partnership = Partnership.objects.filter(
        partner=partner,
        loyalty_currency=OuterRef("loyalty_currency"),
        type__in=SELLING_PARTNERSHIPS,
        enabled=True,
    )
    return GiftCardPrice.objects.filter(
        Q(loyalty_currency__owner=partner) | Q(Exists(partnership))
    ).select_related("loyalty_currency")


def gift_cards_sellable_by(partner: Partner) -> QuerySet[GiftCard]:
    """Enabled cards the partner may sell, with denominations and prices loaded."""
    priced = _prices_sellable_by(partner).filter(gift_card=OuterRef("pk"))
    return (
        GiftCard.objects.filter(enabled=True)
        .filter(Q(partner=partner) | Q(Exists(priced)))
        .prefetch_related("denominations")
        .order_by("name", "id")
    )


def _gift_card_load(public_id: str) -> GiftCard | None:
    card = (
        GiftCard.objects.filter(public_id=public_id)
        .prefetch_related(
            "denominations",
            Prefetch("prices", queryset=GiftCardPrice.objects.select_related("loyalty_currency")),
        )
        .first()
    )
    if card is not None:
        list(card.denominations.all())
        list(card.prices.all())
    return card


def may_sell(partner: Partner, gift_card: GiftCard) -> bool:
    return gift_card.partner_id == partner.pk or any(
        has_partnership(partner, price.loyalty_currency, *SELLING_PARTNERSHIPS)
        for price in gift_card.prices.all()
    )


def gift_card_sellable_get(*, partner: Partner, public_id: str) -> GiftCard:
    """The enabled card, with its denominations and prices, if the partner may sell it (else
    GiftCardNotFound, as for an unknown one). Cached per process like the partnerships
    (loyalty.caching: an edit in the admin is seen by the next request); read-only."""
    card = caching.cached("gift-card", public_id, lambda: _gift_card_load(public_id))
    if card is None or not card.enabled or not may_sell(partner, card):
        raise GiftCardNotFound("Gift card not found.")
    return card


def prices_for(*, partner: Partner, gift_card: GiftCard) -> list[GiftCardPrice]:
    """The card's prices in currencies the partner may sell in (all of them for its retailer)."""
    prices = sorted(gift_card.prices.all(), key=lambda price: price.loyalty_currency.code)
    if gift_card.partner_id == partner.pk:
        return prices
    return [
        price
        for price in prices
        if has_partnership(partner, price.loyalty_currency, *SELLING_PARTNERSHIPS)
    ]


def denominations_of(gift_card: GiftCard) -> list[Decimal]:
    return sorted(d.value for d in gift_card.denominations.all())


def gift_cards_reported_to(partner: Partner) -> QuerySet[GiftCard]:
    """Cards whose inventory and issued codes the partner reads: its own, and those priced in a
    currency it owns."""
    owned = GiftCardPrice.objects.filter(gift_card=OuterRef("pk"), loyalty_currency__owner=partner)
    return (
        GiftCard.objects.filter(Q(partner=partner) | Q(Exists(owned)))
        .filter(provider=Provider.CURRENCY_ALLIANCE)
        .order_by("name", "id")
    )


def issued_codes_reported_to(partner: Partner) -> QuerySet[GiftCardCode]:
    """Issued codes of reported cards, with what the report shows loaded."""
    return (
        GiftCardCode.objects.filter(gift_card__in=gift_cards_reported_to(partner))
        .filter(issued_at__isnull=False)
        .select_related("gift_card", "issued_by_partner", "loyalty_currency")
        .order_by("-issued_at", "-id")
    )


def codes_by_hash(*, code_hash: str) -> QuerySet[GiftCardCode]:
    return (
        GiftCardCode.objects.filter(code_hash=code_hash)
        .select_related(
            "gift_card", "gift_card__partner", "loyalty_currency", "member", "issued_by_partner"
        )
        .prefetch_related(Prefetch("redemptions"))
    )


# Inventory -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stock:
    """One denomination's codes (denomination None: an open card's)."""

    denomination: Decimal | None
    available: int
    issued: int
    unavailable: int
    total: int

    @property
    def key(self) -> str:
        return OPEN if self.denomination is None else f"{self.denomination:.2f}"


def stock_of(gift_card: GiftCard) -> list[Stock]:
    """Per denomination: codes in stock (not expired), issued, unavailable (expired in stock or
    cancelled) and in all; a fixed card lists each of its denominations, with or without codes."""
    return stocks_of([gift_card])[gift_card.pk]


def stocks_of(gift_cards: list[GiftCard]) -> dict[int, list[Stock]]:
    """stock_of for many cards at once, in two queries however many cards: by card id."""
    today = timezone.localdate()
    expired = Q(expiration_date__lt=today)
    in_stock = Q(status=CodeStatus.AVAILABLE)
    ids = [card.pk for card in gift_cards]
    rows = (
        GiftCardCode.objects.filter(gift_card__in=ids)
        .values("gift_card", "denomination")
        .annotate(
            available=Count("id", filter=in_stock & ~expired),
            issued=Count("id", filter=Q(status=CodeStatus.ISSUED)),
            unavailable=Count("id", filter=Q(status=CodeStatus.CANCELLED) | (in_stock & expired)),
            total=Count("id"),
        )
        .order_by()
    )
    found: dict[int, dict[Decimal | None, dict]] = {pk: {} for pk in ids}
    for row in rows:
        found[row["gift_card"]][row["denomination"]] = row
    fixed = [card.pk for card in gift_cards if card.denomination_type == DenominationType.FIXED]
    denominations: dict[int, list[Decimal]] = {pk: [] for pk in fixed}
    if fixed:
        values = GiftCardDenomination.objects.filter(gift_card__in=fixed).values_list(
            "gift_card", "value"
        )
        for card_id, value in values:
            denominations[card_id].append(value)
    empty = {"available": 0, "issued": 0, "unavailable": 0, "total": 0}
    result = {}
    for card in gift_cards:
        of_card = found[card.pk]
        keys: list[Decimal | None] = list(denominations.get(card.pk, []))
        keys += [key for key in of_card if key not in keys]
        if not keys:
            keys = [None]
        result[card.pk] = [
            Stock(
                denomination=key,
                available=row["available"],
                issued=row["issued"],
                unavailable=row["unavailable"],
                total=row["total"],
            )
            for key in sorted(keys, key=lambda k: (k is None, k or 0))
            for row in [of_card.get(key, empty)]
        ]
    return result


@dataclass(frozen=True)
class LowStock:
    gift_card: GiftCard
    stock: Stock


def gift_cards_below_low_stock() -> list[LowStock]:
    """Enabled cards of our own inventory with a denomination below its card's low-stock
    threshold (what the admin warns about, and the dashboard): three queries, however many
    cards."""
    cards = list(
        GiftCard.objects.filter(enabled=True, provider=Provider.CURRENCY_ALLIANCE)
        .select_related("partner")
        .order_by("name", "id")
    )
    stocks = stocks_of(cards)
    return [
        LowStock(gift_card=card, stock=stock)
        for card in cards
        for stock in stocks[card.pk]
        if stock.available < card.low_stock_threshold
    ]
