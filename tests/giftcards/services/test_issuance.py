from decimal import Decimal

import pytest

from giftcards import errors
from giftcards.models import CodeStatus, GiftCardCode, RedemptionStatus
from giftcards.secrets import unseal
from giftcards.services.issuance import (
    gift_card_direct_issue,
    gift_card_issue,
    gift_card_simulate,
)
from loyalty import errors as loyalty_errors
from loyalty.models import Account, MemberStatus, Transaction, TransactionType
from loyalty.selectors import issuing_account
from tests.factories import PartnerFactory
from tests.giftcards.fixtures import load_codes


def balance(account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def test_simulate_prices_a_denomination_and_values_points(currency, fixed_card, open_card):
    owner = currency.owner
    _, quote = gift_card_simulate(
        partner=owner, gift_card_id=fixed_card.public_id, fiat_amount=Decimal("10.00")
    )
    assert (quote.fiat_amount, quote.loyalty_amount) == (Decimal("10.00"), 1000)
    _, quote = gift_card_simulate(
        partner=owner, gift_card_id=open_card.public_id, loyalty_amount=1234
    )
    assert (quote.fiat_amount, quote.loyalty_amount) == (Decimal("12.34"), 1234)
    assert Transaction.objects.count() == 0


@pytest.mark.parametrize("amount", ["7.00", "0", "-5.00", "10.001"])
def test_simulate_refuses_what_a_fixed_card_does_not_sell(currency, fixed_card, amount):
    with pytest.raises(errors.GiftCardAmountInvalid):
        gift_card_simulate(
            partner=currency.owner, gift_card_id=fixed_card.public_id, fiat_amount=Decimal(amount)
        )


@pytest.mark.parametrize("amount", ["4.99", "100.01"])
def test_simulate_refuses_amounts_outside_an_open_cards_range(currency, open_card, amount):
    with pytest.raises(errors.GiftCardAmountInvalid):
        gift_card_simulate(
            partner=currency.owner, gift_card_id=open_card.public_id, fiat_amount=Decimal(amount)
        )


def test_issue_debits_the_member_to_the_retailer_and_allocates_one_code(
    currency, fixed_card, retailer, funded_member, member_acc, ledger_balances
):
    load_codes(fixed_card, 2)
    issued = gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
        external_reference="order-1",
    )
    code, tx = issued.code, issued.transaction
    assert tx.type == TransactionType.GIFT_CARD_EXCHANGE
    assert tx.related_data == {"id": code.public_id}
    assert tx.amount == 1000
    assert balance(member_acc) == 9_000
    assert balance(issuing_account(partner=retailer, loyalty_currency=currency)) == 1000
    code.refresh_from_db()
    assert code.status == CodeStatus.ISSUED
    assert code.redemption_status == RedemptionStatus.UNREDEEMED
    assert (code.fiat_amount, code.fiat_balance) == (Decimal("10.00"), Decimal("10.00"))
    assert code.member == funded_member and code.transaction == tx
    assert unseal(code.code_encrypted) == "CODE-000000"
    assert GiftCardCode.objects.filter(status=CodeStatus.AVAILABLE).count() == 1
    ledger_balances()


def test_issue_of_an_open_card_takes_a_code_without_denomination(
    currency, open_card, funded_member
):
    from giftcards.services.imports import codes_import
    from tests.giftcards.fixtures import csv_of

    assert codes_import(gift_card=open_card, data=csv_of("OPEN-1,,")).ok
    issued = gift_card_issue(
        partner=currency.owner,
        gift_card_id=open_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        loyalty_amount=4250,
    )
    assert issued.code.fiat_amount == Decimal("42.50")
    assert issued.transaction.amount == 4250


@pytest.mark.parametrize(
    ("setup", "error"),
    [
        ("no_stock", errors.GiftCardOutOfStock),
        ("poor", loyalty_errors.InsufficientFunds),
        ("blocked", loyalty_errors.InactiveAccountOwner),
        ("unknown_member", loyalty_errors.MemberNotFound),
    ],
)
def test_refused_issue_debits_nothing_and_keeps_the_stock(
    currency, fixed_card, member, member_acc, mint, setup, error, ledger_balances
):
    from loyalty import ledger

    if setup != "poor":
        ledger.post(origin=mint, destination=member_acc, amount=5_000, type=TransactionType.ACCRUAL)
    if setup != "no_stock":
        load_codes(fixed_card, 1, denomination="25.00" if setup == "poor" else "10.00")
    if setup == "blocked":
        type(member).objects.filter(pk=member.pk).update(status=MemberStatus.BLOCKED)
    identifiers = (
        {"id": "NOBODY"} if setup == "unknown_member" else member.loyalty_program_identifiers
    )
    before = Transaction.objects.count()
    with pytest.raises(error):
        gift_card_issue(
            partner=currency.owner,
            gift_card_id=fixed_card.public_id,
            member=identifiers,
            fiat_amount=Decimal("25.00" if setup == "poor" else "10.00"),
        )
    assert Transaction.objects.count() == before
    assert not GiftCardCode.objects.filter(status=CodeStatus.ISSUED).exists()
    ledger_balances()


def test_a_partner_that_may_not_sell_the_card_does_not_learn_it_exists(fixed_card, funded_member):
    stranger = PartnerFactory()
    with pytest.raises(errors.GiftCardNotFound):
        gift_card_issue(
            partner=stranger,
            gift_card_id=fixed_card.public_id,
            member=funded_member.loyalty_program_identifiers,
            fiat_amount=Decimal("10.00"),
        )
    with pytest.raises(errors.GiftCardNotFound):
        gift_card_simulate(partner=stranger, gift_card_id="gcb_unknown", fiat_amount=Decimal(10))


def test_a_disabled_card_is_not_sold(currency, fixed_card, funded_member):
    load_codes(fixed_card, 1)
    type(fixed_card).objects.filter(pk=fixed_card.pk).update(enabled=False)
    with pytest.raises(errors.GiftCardNotFound):
        gift_card_issue(
            partner=currency.owner,
            gift_card_id=fixed_card.public_id,
            member=funded_member.loyalty_program_identifiers,
            fiat_amount=Decimal("10.00"),
        )


def test_direct_issue_records_the_sale_without_moving_units(
    currency, fixed_card, retailer, member, ledger_balances
):
    load_codes(fixed_card, 1)
    code = gift_card_direct_issue(
        partner=retailer,
        gift_card_id=fixed_card.public_id,
        external_reference="till-7",
        fiat_amount=Decimal("10.00"),
        loyalty_currency=currency.code,
        loyalty_amount_exchanged=1000,
        member_id=member.membership_id,
    )
    assert code.status == CodeStatus.ISSUED and code.transaction is None
    assert (code.loyalty_amount, code.member) == (1000, member)
    assert Transaction.objects.count() == 0
    ledger_balances()


def test_expired_codes_are_not_allocated(currency, fixed_card, funded_member):
    load_codes(fixed_card, 1)
    GiftCardCode.objects.update(expiration_date="2000-01-01")
    with pytest.raises(errors.GiftCardOutOfStock):
        gift_card_issue(
            partner=currency.owner,
            gift_card_id=fixed_card.public_id,
            member=funded_member.loyalty_program_identifiers,
            fiat_amount=Decimal("10.00"),
        )
