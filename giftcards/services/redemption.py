"""The retailer's side of a code: validate at the till or online, redeem (whole or in part),
cancel; and a code's retrieval by whoever issued it.

A code is found by its keyed hash (giftcards.secrets), only among the codes the caller may
manage, so an unknown code, a wrong PIN and another retailer's code get one and the same answer
(GiftCardCodeNotFound); each of those counts as a failed lookup (giftcards.throttle), and a
partner over its allowance is refused before any lookup.

Redeem and cancel lock the code's row (SELECT ... FOR UPDATE) and check it again under the lock:
of two concurrent partial redemptions the second sees the first's balance, so the balance never
goes below zero (a CHECK constraint backs it).
"""

from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from giftcards import secrets, throttle
from giftcards.errors import (
    GiftCardAmountInvalid,
    GiftCardBalanceInsufficient,
    GiftCardCodeNotCancellable,
    GiftCardCodeNotFound,
    GiftCardCodeUnusable,
    GiftCardReferenceReused,
)
from giftcards.models import (
    Channel,
    CodeStatus,
    GiftCardCode,
    GiftCardRedemption,
    GiftCardType,
    RedemptionStatus,
)
from loyalty import ledger
from loyalty.models import Partner
from loyalty.unit_of_work import atomic

NOT_FOUND = "Unknown gift card code, or a wrong PIN."
CENT = Decimal("0.01")


def _find(
    *,
    partner: Partner,
    candidates: QuerySet[GiftCardCode],
    gift_card_code: str,
    pin: str | None = None,
    check_pin: bool = False,
    brand_id: str | None = None,
) -> GiftCardCode:
    throttle.require_lookups_allowed(partner.pk)
    found = list(candidates.filter(code_hash=secrets.code_hash(gift_card_code))[:3])
    if brand_id:
        found = [c for c in found if c.gift_card.public_id == brand_id] or found
    if check_pin:
        found = [c for c in found if secrets.pin_matches(c.pin_encrypted, pin)]
    if not found:
        throttle.lookup_failed(partner.pk)
        raise GiftCardCodeNotFound(NOT_FOUND)
    if len(found) > 1:
        raise GiftCardCodeUnusable(
            "This code exists on several of your gift cards: name the card as brand_id.",
            field="brand_id",
        )
    return found[0]


def _managed(partner: Partner, gift_card_code: str, brand_id: str | None) -> GiftCardCode:
    candidates = GiftCardCode.objects.filter(gift_card__partner=partner).select_related(
        "gift_card", "loyalty_currency", "transaction"
    )
    return _find(
        partner=partner, candidates=candidates, gift_card_code=gift_card_code, brand_id=brand_id
    )


def _require_usable(
    code: GiftCardCode, *, channel: str | None, brand_id: str | None, fiat_amount: Decimal | None
) -> None:
    card = code.gift_card
    if brand_id and card.public_id != brand_id:
        raise GiftCardCodeUnusable("This code is not of that gift card.", field="brand_id")
    if code.status == CodeStatus.CANCELLED:
        raise GiftCardCodeUnusable("This code was cancelled.")
    if code.status != CodeStatus.ISSUED:
        raise GiftCardCodeUnusable("This code has not been issued.")
    if code.expiration_date is not None and code.expiration_date < timezone.localdate():
        raise GiftCardCodeUnusable(f"This code expired on {code.expiration_date.isoformat()}.")
    if code.redemption_status == RedemptionStatus.REDEEMED:
        raise GiftCardCodeUnusable("This code has been redeemed in full.")
    if channel == Channel.STORE and not card.redeemable_in_store:
        raise GiftCardCodeUnusable("This gift card is not redeemable in store.", field="channel")
    if channel == Channel.ONLINE and not card.redeemable_online:
        raise GiftCardCodeUnusable("This gift card is not redeemable online.", field="channel")
    if fiat_amount is not None:
        if card.type == GiftCardType.DISCOUNT:
            raise GiftCardAmountInvalid("A discount card is redeemed whole, without an amount.")
        if (
            not fiat_amount.is_finite()
            or fiat_amount <= 0
            or fiat_amount != fiat_amount.quantize(CENT)
        ):
            raise GiftCardAmountInvalid("The fiat amount must be greater than zero, in cents.")
        if code.fiat_balance is None or fiat_amount > code.fiat_balance:
            raise GiftCardBalanceInsufficient(
                f"The code's balance is {code.fiat_balance or 0:.2f} {card.fiat_currency}."
            )


def code_validate(
    *,
    partner: Partner,
    gift_card_code: str,
    channel: str,
    brand_id: str | None = None,
    fiat_amount: Decimal | None = None,
) -> GiftCardCode:
    """Check that the retailer can redeem the code now (for `fiat_amount` when given); writes
    nothing."""
    code = _managed(partner, gift_card_code, brand_id)
    _require_usable(code, channel=channel, brand_id=brand_id, fiat_amount=fiat_amount)
    return code


def _locked(code: GiftCardCode) -> GiftCardCode:
    locked = (
        GiftCardCode.objects.select_for_update(of=("self",))
        .select_related("gift_card", "loyalty_currency", "transaction")
        .get(pk=code.pk)
    )
    return locked


@atomic
def code_redeem(
    *,
    partner: Partner,
    gift_card_code: str,
    channel: str,
    external_reference: str,
    brand_id: str | None = None,
    fiat_amount: Decimal | None = None,
    metadata: dict | None = None,
    custom_settings_data: dict | None = None,
) -> GiftCardCode:
    """Redeem `fiat_amount` of the code (its whole balance when omitted; a discount card whole).

    A repeat of an earlier redemption (same retailer and external_reference, same code) answers
    the code as it is now and redeems nothing more.
    """
    code = _locked(_managed(partner, gift_card_code, brand_id))
    earlier = GiftCardRedemption.objects.filter(
        partner=partner, external_reference=external_reference
    ).first()
    if earlier is not None:
        if earlier.code_id != code.pk:
            raise GiftCardReferenceReused(
                "This external_reference was used for a redemption of another code."
            )
        return code
    _require_usable(code, channel=channel, brand_id=brand_id, fiat_amount=fiat_amount)
    if code.gift_card.type == GiftCardType.DISCOUNT or code.fiat_balance is None:
        amount, balance = code.fiat_balance, Decimal(0) if code.fiat_balance is not None else None
    else:
        amount = fiat_amount if fiat_amount is not None else code.fiat_balance
        balance = code.fiat_balance - amount
    try:
        with transaction.atomic():
            GiftCardRedemption.objects.create(
                code=code,
                partner=partner,
                fiat_amount=amount or None,
                channel=channel,
                external_reference=external_reference,
                metadata=metadata or {},
                custom_settings_data=custom_settings_data or {},
            )
    except IntegrityError as exc:
        raise GiftCardReferenceReused(
            "This external_reference was used for a redemption of another code."
        ) from exc
    code.fiat_balance = balance
    code.redemption_status = (
        RedemptionStatus.REDEEMED if not balance else RedemptionStatus.PARTIALLY_REDEEMED
    )
    code.save(update_fields=["fiat_balance", "redemption_status"])
    return code


@atomic
def code_cancel(
    *,
    code: GiftCardCode,
    partner: Partner | None = None,
    user: AbstractBaseUser | None = None,
    reason: str = "Gift card code cancelled",
) -> GiftCardCode:
    """Void a code: one in stock leaves it; an issued one that nothing was redeemed from is
    cancelled and, when bought with points, the member is refunded (a reversal of its
    gift_card_exchange). A redeemed or partly redeemed code cannot be cancelled."""
    code = _locked(code)
    if code.status == CodeStatus.CANCELLED:
        raise GiftCardCodeNotCancellable("This code is already cancelled.")
    if code.status == CodeStatus.ISSUED and (
        code.redemption_status != RedemptionStatus.UNREDEEMED or code.redemptions.exists()
    ):
        raise GiftCardCodeNotCancellable("A redeemed or partly redeemed code cannot be cancelled.")
    fields = ["status", "cancelled_at"]
    if code.transaction is not None:
        code.refund_transaction = ledger.reverse(
            transaction=code.transaction,
            reason=reason,
            created_by_partner=partner,
            created_by_user=user,
        )
        fields.append("refund_transaction")
    code.status = CodeStatus.CANCELLED
    code.cancelled_at = timezone.now()
    code.save(update_fields=fields)
    return code


def code_cancel_by_retailer(
    *, partner: Partner, gift_card_code: str, brand_id: str | None = None
) -> GiftCardCode:
    """POST .../custom/cancel: the card's retailer cancels one of its codes."""
    return code_cancel(code=_managed(partner, gift_card_code, brand_id), partner=partner)


def code_retrieve(*, partner: Partner, gift_card_code: str, pin: str | None = None) -> GiftCardCode:
    """An issued code, by code (and PIN when it has one), for the partner that issued it, the
    card's retailer or the owner of the currency it was bought with."""
    candidates = (
        GiftCardCode.objects.filter(issued_at__isnull=False)
        .filter(
            Q(issued_by_partner=partner)
            | Q(gift_card__partner=partner)
            | Q(loyalty_currency__owner=partner)
        )
        .select_related("gift_card", "loyalty_currency")
    )
    return _find(
        partner=partner,
        candidates=candidates,
        gift_card_code=gift_card_code,
        pin=pin,
        check_pin=True,
    )
