"""Helpers shared by the admin tests: admin URLs, messages, ledger set-up and rule editor data."""

import datetime as dt
from decimal import Decimal

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from loyalty import ledger
from loyalty.models import Account, ActivityRule, PurchaseRule, Transaction, TransactionType
from loyalty.selectors import mint_account

# Pages and messages --------------------------------------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"admin:loyalty_{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


# Ledger set-up -------------------------------------------------------------------------------


def credit(account: Account, amount: int) -> Transaction:
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.post(
        origin=mint, destination=account, amount=amount, type=TransactionType.ACCRUAL
    )


def hold(account: Account, amount: int) -> Transaction:
    mint = mint_account(loyalty_currency=account.loyalty_currency)
    return ledger.hold(
        origin=mint,
        destination=account,
        amount=amount,
        type=TransactionType.ACCRUAL,
        release_date=timezone.now() + dt.timedelta(days=30),
    )


def balances(account: Account) -> tuple[int, int]:
    account.refresh_from_db()
    return account.balance, account.pending_balance


def run_action(client, action: str, transactions: list[Transaction], **extra):
    return client.post(
        url("transaction_changelist"),
        {
            "action": action,
            "index": 0,
            "_selected_action": [tx.pk for tx in transactions],
            **extra,
        },
    )


# Earning rules -------------------------------------------------------------------------------


# A Friday.
AT = {"at_0": "2026-11-20", "at_1": "12:00"}


def purchase_rule(currency, **fields) -> PurchaseRule:
    defaults = {"name": "Points per euro", "fiat_currency": "EUR", "points_per_unit": Decimal(1)}
    return PurchaseRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def activity_rule(currency, **fields) -> ActivityRule:
    defaults = {"name": "Birthday", "activity": "birthday", "points": 100}
    return ActivityRule.objects.create(loyalty_currency=currency, **{**defaults, **fields})


def purchase_post(currency, **fields) -> dict:
    """The add form's data for a rule of 2 points per euro, with empty inlines."""
    data = {
        "name": "Double points",
        "loyalty_currency": currency.pk,
        "reason": "",
        "enabled": "on",
        "time_zone": "UTC",
        "fiat_currency": "EUR",
        "tags": "online, summer",
        "points_per_unit": "2",
        "price_type": "customers_perceived_value",
        "fixed_bonus": "0",
        **{f"on_{day}": "on" for day in ("monday", "tuesday", "wednesday", "thursday")},
        **{f"on_{day}": "on" for day in ("friday", "saturday", "sunday")},
    }
    for prefix in ("metadata_matches", "tier_multipliers"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return {**data, **fields}


def simulate(admin_client, currency, **fields):
    data = {"loyalty_currency": currency.pk, "fiat_currency": "EUR", **AT, **fields}
    return admin_client.post(url("purchaserule_simulate"), data)
