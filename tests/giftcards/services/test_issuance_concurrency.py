"""Allocation and redemption under real concurrency: threads with their own connections."""

from decimal import Decimal

import pytest

from giftcards import errors
from giftcards.models import CodeStatus, GiftCardCode
from giftcards.services.issuance import Issue, gift_card_issue
from giftcards.services.redemption import code_redeem
from loyalty import ledger
from loyalty.models import Account, Transaction, TransactionType
from loyalty.selectors import member_account
from tests.factories import MemberFactory
from tests.giftcards.fixtures import load_codes

pytestmark = pytest.mark.django_db(transaction=True)


def test_sixteen_issuers_with_ten_codes_left_get_exactly_ten_distinct_codes(
    currency, mint, fixed_card, run_concurrently, ledger_balances
):
    load_codes(fixed_card, 10)
    members = [MemberFactory(loyalty_currency=currency) for _ in range(16)]
    for m in members:
        ledger.post(
            origin=mint,
            destination=member_account(member=m),
            amount=5_000,
            type=TransactionType.ACCRUAL,
        )

    def issuer(m):
        return lambda: gift_card_issue(
            partner=currency.owner,
            gift_card_id=fixed_card.public_id,
            member=m.loyalty_program_identifiers,
            fiat_amount=Decimal("10.00"),
        )

    outcomes = run_concurrently([issuer(m) for m in members])
    issued = [o for o in outcomes if isinstance(o, Issue)]
    refused = [o for o in outcomes if not isinstance(o, Issue)]
    assert len(issued) == 10
    assert all(type(r) is errors.GiftCardOutOfStock for r in refused), refused
    assert len({i.code.pk for i in issued}) == 10
    assert GiftCardCode.objects.filter(status=CodeStatus.ISSUED).count() == 10
    assert Transaction.objects.filter(type=TransactionType.GIFT_CARD_EXCHANGE).count() == 10
    winners = {i.code.member_id for i in issued}
    for m in members:
        expected = 4_000 if m.pk in winners else 5_000
        assert Account.objects.get(member=m).balance == expected
    ledger_balances()


def test_two_concurrent_partial_redemptions_never_overdraw_a_code(
    currency, fixed_card, retailer, funded_member, run_concurrently
):
    load_codes(fixed_card, 1)
    issued = gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
    )

    def redeem(reference):
        return lambda: code_redeem(
            partner=retailer,
            gift_card_code="CODE-000000",
            channel="store",
            external_reference=reference,
            fiat_amount=Decimal("6.00"),
        )

    outcomes = run_concurrently([redeem("till-1"), redeem("till-2")])
    done = [o for o in outcomes if isinstance(o, GiftCardCode)]
    refused = [o for o in outcomes if not isinstance(o, GiftCardCode)]
    assert len(done) == 1
    assert [type(r) for r in refused] == [errors.GiftCardBalanceInsufficient]
    code = GiftCardCode.objects.get(pk=issued.code.pk)
    assert code.fiat_balance == Decimal("4.00")
    assert code.redemptions.count() == 1
