"""The evaluation inputs (loyalty.rules.inputs) refuse what cannot be evaluated and are frozen."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.loyalty.rules.helpers import activity_rule, purchase, rule


class TestInputs:
    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="aware"):
            purchase(at=dt.datetime(2026, 11, 18, 12))
        with pytest.raises(ValueError, match="aware"):
            rule(valid_from=dt.datetime(2026, 11, 18, 12))

    @pytest.mark.parametrize("amount", [50.0, Decimal(-1), Decimal("NaN")])
    def test_amount_must_be_a_decimal_of_zero_or_more(self, amount):
        with pytest.raises(ValueError, match="amount"):
            purchase(amount=amount)

    def test_percentage_needs_a_unit_value(self):
        with pytest.raises(ValueError, match="unit_value"):
            rule(percentage=Decimal(1))
        with pytest.raises(ValueError, match="unit_value_currency"):
            rule(percentage=Decimal(1), unit_value=Decimal("0.01"))

    def test_limits_come_with_their_period(self):
        with pytest.raises(ValueError, match="member_cap_period"):
            rule(max_points_per_member=10)
        with pytest.raises(ValueError, match="limit_period"):
            activity_rule(max_per_member=1)

    def test_inputs_are_frozen(self):
        metadata = {"store": "42"}
        request = purchase(metadata=metadata)
        metadata["store"] = "43"
        assert request.metadata["store"] == "42"
        with pytest.raises(TypeError):
            request.metadata["store"] = "44"
