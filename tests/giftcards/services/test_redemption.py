import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from giftcards import errors
from giftcards.models import CodeStatus, GiftCardCode, GiftCardRedemption, RedemptionStatus
from giftcards.services.imports import codes_import
from giftcards.services.issuance import gift_card_direct_issue, gift_card_issue
from giftcards.services.redemption import (
    code_cancel,
    code_cancel_by_retailer,
    code_redeem,
    code_retrieve,
    code_validate,
)
from loyalty.models import Account, Transaction, TransactionType
from tests.factories import PartnerFactory
from tests.giftcards.fixtures import csv_of, load_codes


@pytest.fixture(autouse=True)
def no_failed_lookups():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bought(currency, fixed_card, funded_member):
    """A 10.00 code with PIN 4321 bought for 1000 points."""
    assert codes_import(gift_card=fixed_card, data=csv_of("ABCD-0001,4321,10.00")).ok
    return gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
    )


def redeem(retailer, reference, amount=None, code="ABCD-0001", **extra):
    return code_redeem(
        partner=retailer,
        gift_card_code=code,
        channel="store",
        external_reference=reference,
        fiat_amount=None if amount is None else Decimal(amount),
        **extra,
    )


def test_validate_finds_the_code_in_any_spelling_and_writes_nothing(retailer, bought):
    code = code_validate(partner=retailer, gift_card_code=" abcd 0001 ", channel="online")
    assert code.pk == bought.code.pk
    assert not GiftCardRedemption.objects.exists()


def test_partial_redemptions_then_the_rest(retailer, bought):
    code = redeem(retailer, "r1", "4.00")
    assert (code.fiat_balance, code.redemption_status) == (
        Decimal("6.00"),
        RedemptionStatus.PARTIALLY_REDEEMED,
    )
    code = redeem(retailer, "r2")
    assert (code.fiat_balance, code.redemption_status) == (
        Decimal("0.00"),
        RedemptionStatus.REDEEMED,
    )
    assert list(code.redemptions.values_list("fiat_amount", flat=True)) == [
        Decimal("4.00"),
        Decimal("6.00"),
    ]
    with pytest.raises(errors.GiftCardCodeUnusable):
        redeem(retailer, "r3", "1.00")


def test_a_repeated_external_reference_redeems_once(retailer, bought):
    redeem(retailer, "r1", "4.00")
    again = redeem(retailer, "r1", "4.00")
    assert again.fiat_balance == Decimal("6.00")
    assert GiftCardRedemption.objects.count() == 1


def test_an_external_reference_of_another_code_is_refused(retailer, currency, fixed_card, bought):
    assert codes_import(gift_card=fixed_card, data=csv_of("OTHER-1,,10.00")).ok
    gift_card_direct_issue(
        partner=retailer,
        gift_card_id=fixed_card.public_id,
        external_reference="x",
        fiat_amount=Decimal("10.00"),
    )
    redeem(retailer, "r1", "1.00")
    with pytest.raises(errors.GiftCardReferenceReused):
        redeem(retailer, "r1", "1.00", code="OTHER-1")


@pytest.mark.parametrize(
    ("amount", "error"),
    [("10.01", errors.GiftCardBalanceInsufficient), ("0", errors.GiftCardAmountInvalid)],
)
def test_bad_amounts_are_refused_and_redeem_nothing(retailer, bought, amount, error):
    with pytest.raises(error):
        redeem(retailer, "r1", amount)
    assert not GiftCardRedemption.objects.exists()


def test_only_the_retailer_sees_its_codes_with_one_answer_for_everything_unknown(
    currency, retailer, bought
):
    other = PartnerFactory()
    for partner, code in [
        (other, "ABCD-0001"),
        (retailer, "ABCD-9999"),
        (currency.owner, "ABCD-0001"),
    ]:
        with pytest.raises(errors.GiftCardCodeNotFound) as caught:
            code_validate(partner=partner, gift_card_code=code, channel="store")
        assert caught.value.message == "Unknown gift card code, or a wrong PIN."


def test_retrieve_needs_the_pin_and_answers_a_wrong_one_as_an_unknown_code(currency, bought):
    owner = currency.owner
    assert code_retrieve(partner=owner, gift_card_code="ABCD-0001", pin="4321").pk == bought.code.pk
    messages = set()
    for code, pin in [("ABCD-0001", "0000"), ("ABCD-0001", None), ("NOPE", "4321")]:
        with pytest.raises(errors.GiftCardCodeNotFound) as caught:
            code_retrieve(partner=owner, gift_card_code=code, pin=pin)
        messages.add((caught.value.message, caught.value.code, caught.value.field))
    assert len(messages) == 1


def test_failed_lookups_are_throttled_per_partner(settings, retailer, bought):
    settings.GIFTCARD_FAILED_LOOKUPS_PER_MINUTE = 3
    for n in range(3):
        with pytest.raises(errors.GiftCardCodeNotFound):
            code_validate(partner=retailer, gift_card_code=f"GUESS-{n}", channel="store")
    with pytest.raises(errors.GiftCardLookupsThrottled):
        code_validate(partner=retailer, gift_card_code="ABCD-0001", channel="store")
    other = PartnerFactory()
    with pytest.raises(errors.GiftCardCodeNotFound):
        code_validate(partner=other, gift_card_code="GUESS", channel="store")


def test_expired_and_channel_refusals(retailer, fixed_card, bought):
    type(fixed_card).objects.filter(pk=fixed_card.pk).update(redeemable_online=False)
    with pytest.raises(errors.GiftCardCodeUnusable):
        code_validate(partner=retailer, gift_card_code="ABCD-0001", channel="online")
    GiftCardCode.objects.update(expiration_date=dt.date(2000, 1, 1))
    with pytest.raises(errors.GiftCardCodeUnusable):
        code_validate(partner=retailer, gift_card_code="ABCD-0001", channel="store")


def test_cancel_refunds_the_member_through_the_ledger(
    retailer, bought, member_acc, ledger_balances
):
    code = code_cancel_by_retailer(partner=retailer, gift_card_code="ABCD-0001")
    assert code.status == CodeStatus.CANCELLED
    assert code.refund_transaction.type == TransactionType.REVERSAL
    assert Account.objects.get(pk=member_acc.pk).balance == 10_000
    bought.transaction.refresh_from_db()
    assert bought.transaction.status == "reversed"
    with pytest.raises(errors.GiftCardCodeUnusable):
        redeem(retailer, "r1")
    with pytest.raises(errors.GiftCardCodeNotCancellable):
        code_cancel_by_retailer(partner=retailer, gift_card_code="ABCD-0001")
    ledger_balances()


def test_a_partly_redeemed_code_cannot_be_cancelled(retailer, bought, ledger_balances):
    redeem(retailer, "r1", "1.00")
    before = Transaction.objects.count()
    with pytest.raises(errors.GiftCardCodeNotCancellable):
        code_cancel_by_retailer(partner=retailer, gift_card_code="ABCD-0001")
    assert Transaction.objects.count() == before
    ledger_balances()


def test_voiding_a_code_in_stock_takes_it_out_of_stock(fixed_card):
    load_codes(fixed_card, 1)
    code = code_cancel(code=GiftCardCode.objects.get())
    assert code.status == CodeStatus.CANCELLED and code.refund_transaction is None
