"""Any sequence of redemptions keeps a code's balance equal to its amount minus what was
redeemed, never below zero, with the status that balance implies."""

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftcards import errors
from giftcards.models import GiftCardCode, RedemptionStatus
from giftcards.secrets import code_hash
from giftcards.services.issuance import gift_card_direct_issue
from giftcards.services.redemption import code_redeem
from tests.giftcards.fixtures import load_codes

cents = st.integers(min_value=1, max_value=1_200).map(lambda n: Decimal(n) / 100)
amounts = st.lists(st.one_of(st.none(), cents), min_size=1, max_size=8)
counter = itertools.count()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(amounts=amounts)
def test_redemptions_never_overdraw(fixed_card, retailer, amounts):
    n = next(counter)
    (code_text,) = load_codes(fixed_card, 1, prefix=f"PROP{n}")
    gift_card_direct_issue(
        partner=retailer,
        gift_card_id=fixed_card.public_id,
        external_reference=f"sale-{n}",
        fiat_amount=Decimal("10.00"),
    )
    balance = Decimal("10.00")
    for step, amount in enumerate(amounts):
        wanted = balance if amount is None else amount
        try:
            code = code_redeem(
                partner=retailer,
                gift_card_code=code_text,
                channel="online",
                external_reference=f"r-{n}-{step}",
                fiat_amount=amount,
            )
        except errors.GiftCardBalanceInsufficient:
            assert wanted > balance
            continue
        except errors.GiftCardCodeUnusable:
            assert balance == 0
            continue
        assert wanted <= balance
        balance -= wanted
        assert code.fiat_balance == balance >= 0
        expected = (
            RedemptionStatus.REDEEMED if balance == 0 else RedemptionStatus.PARTIALLY_REDEEMED
        )
        assert code.redemption_status == expected
    stored = GiftCardCode.objects.get(gift_card=fixed_card, code_hash=code_hash(code_text))
    assert stored.fiat_balance == balance
    redeemed = sum((r.fiat_amount for r in stored.redemptions.all()), Decimal(0))
    assert redeemed == Decimal("10.00") - balance
