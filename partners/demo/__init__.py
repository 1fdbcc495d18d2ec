"""Demo data for a fresh install: a programme that looks like a real one.

One currency (EXAMPLE_POINTS) with meaningful tiers, three partners with partnerships of each
kind (one a retailer whose gift cards members buy with points), purchase and activity rules, a
cohort, months of FX rates, fifty members and half a year of their dated activity; and its
exchanges (exchanges.py): Example Air's miles, the external AVIOS reached through the bundled
sandbox programme, partnerships and linked accounts. It touches every app (it creates API
credentials too), so it lives at the top of the layout: catalogue.py holds the fixed data,
programme.py the entities, history.py the members' past, gift_cards.py the retailer's cards and
their codes.

`manage.py seed_demo` calls `demo_seed`, and `make run` calls the command on every start, so
seeding is idempotent: entities are looked up by their natural keys (currency code, partner
api_identifier, tier code, rule name, membership id) and created only when missing. The history
is written for the members a run creates (so only by the first run), always through the rule
services and the ledger. A run also keeps a few pending transactions due within minutes, so
that the release sweeper has something to show as soon as the worker starts, unless told not to
add transactions (`seed_demo --json` on an existing demo prints the credentials and adds none).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from giftcards.models import GiftCard
from giftcards.selectors import denominations_of
from loyalty import ledger
from loyalty.models import (
    ActivityRule,
    Cohort,
    LoyaltyCurrency,
    Member,
    Partner,
    PurchaseRule,
    ReasonCode,
    Tier,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from partners.demo import catalogue, exchanges, programme
from partners.demo.gift_cards import gift_cards_ensure
from partners.demo.history import history_create

# Pending transactions released at most this far ahead count as "due soon"; a run keeps
# DUE_SOON_MINIMUM of them, released 1, 2, 3... minutes after the run.
DUE_SOON = dt.timedelta(minutes=5)
DUE_SOON_MINIMUM = 3

__all__ = ["DUE_SOON", "DemoData", "demo_as_json", "demo_seed"]


@dataclass(frozen=True)
class DemoData:
    """What the demo consists of after a run, and what that run added."""

    loyalty_currency: LoyaltyCurrency
    partners: list[Partner]  # the two partners other than the currency owner
    api_keys: dict[int, tuple[str, str]]  # partner pk -> (public key, secret key)
    tiers: list[Tier]
    members: list[Member]
    cohort: Cohort
    gift_cards: list[GiftCard]
    admin_username: str
    admin_password: str
    admin_created: bool
    members_created: int
    transactions_created: int
    pending_due_soon: int


@transaction.atomic
def demo_seed(*, admin_username: str, admin_password: str, top_up: bool = True) -> DemoData:
    """Create whatever part of the demo is missing, in one database transaction.

    `top_up` keeps DUE_SOON_MINIMUM transactions due soon; without it a run on an existing demo
    adds no transaction.
    """
    now = timezone.now().replace(microsecond=0)
    transactions_before = Transaction.objects.count()

    currency = programme.currency_get_or_create()
    accounts = {
        spec.api_identifier: programme.partner_account(spec=spec, currency=currency)
        for spec in catalogue.PARTNERS
    }
    partners = [account.partner for account in accounts.values()]
    programme.partnerships_ensure(
        currency=currency, partners={p.api_identifier: p for p in partners}
    )
    tiers = programme.tiers_get_or_create(currency=currency)
    programme.redemption_prices_ensure(
        currency=currency, partners={p.api_identifier: p for p in partners}
    )
    programme.rules_get_or_create(currency=currency, tiers=tiers, now=now)
    cohort = programme.cohort_get_or_create(owner=currency.owner)
    gift_cards = gift_cards_ensure(
        currency=currency, retailer=accounts[catalogue.SHOP.api_identifier].partner
    )
    programme.fx_rates_ensure(today=now.date())
    staff, admin_created = programme.admin_get_or_create(
        username=admin_username, password=admin_password
    )
    new_members = programme.members_create_missing(currency=currency, tiers=tiers)
    if new_members:
        history_create(
            members=new_members, currency=currency, accounts=accounts, staff=staff, now=now
        )
    members = list(
        Member.objects.filter(
            loyalty_currency=currency, membership_id__in=programme.membership_ids()
        )
        .select_related("tier")
        .order_by("membership_id")
    )
    exchanges.exchanges_ensure(
        points=currency,
        air=next(p for p in partners if p.api_identifier == catalogue.AIR.api_identifier),
        members=members,
    )
    if top_up or new_members:
        pending_due_soon = _pending_due_soon_ensure(currency=currency, now=now)
    else:
        pending_due_soon = _pending_due_soon(currency=currency, now=now)

    return DemoData(
        loyalty_currency=currency,
        partners=partners,
        api_keys=programme.api_keys_ensure(partners=[currency.owner, *partners]),
        tiers=tiers,
        members=members,
        cohort=cohort,
        gift_cards=gift_cards,
        admin_username=admin_username,
        admin_password=admin_password,
        admin_created=admin_created,
        members_created=len(new_members),
        transactions_created=Transaction.objects.count() - transactions_before,
        pending_due_soon=pending_due_soon,
    )


def demo_as_json(*, demo: DemoData) -> dict[str, Any]:
    """What `seed_demo --json` prints: enough for a script to log in and call the API.

    `currency_owner` carries the owner's keys too: only the owner creates and updates members.
    """

    def partner_data(partner: Partner) -> dict[str, str]:
        public_key, secret_key = demo.api_keys[partner.pk]
        return {
            "partner_id": partner.public_id,
            "api_identifier": partner.api_identifier,
            "company_name": partner.company_name,
            "public_key": public_key,
            "secret_key": secret_key,
        }

    currency = demo.loyalty_currency
    return {
        "admin": {"username": demo.admin_username, "password": demo.admin_password},
        "loyalty_currency": currency.code,
        "currency_owner": partner_data(currency.owner),
        "partners": [partner_data(partner) for partner in demo.partners],
        "members": [
            {
                "loyalty_program_identifiers": member.loyalty_program_identifiers,
                "name": member.display_name,
                "email": member.email,
                "tier": member.tier.code if member.tier else None,
                "linked_accounts": exchanges.linked_accounts_as_json(member),
            }
            for member in demo.members
        ],
        "tiers": [
            {"id": tier.code, "name": tier.name, "threshold": tier.threshold} for tier in demo.tiers
        ],
        "purchase_rules": [
            {"id": rule.public_id, "name": rule.name, "tags": rule.tags}
            for rule in PurchaseRule.objects.filter(loyalty_currency=currency).order_by("pk")
        ],
        "activity_rules": [
            {"id": rule.public_id, "name": rule.name, "activity_id": rule.activity}
            for rule in ActivityRule.objects.filter(loyalty_currency=currency).order_by("pk")
        ],
        "cohort": {
            "id": demo.cohort.partner.public_id,
            "company_name": demo.cohort.partner.company_name,
        },
        "gift_cards": [
            {
                "id": card.public_id,
                "partner_id": card.partner.public_id,
                "type": card.type,
                "denomination_type": card.denomination_type,
                "denominations": [f"{value:.2f}" for value in denominations_of(card)]
                if card.denomination_type == "fixed"
                else None,
                "fiat_currency": card.fiat_currency,
            }
            for card in demo.gift_cards
        ],
        "programmes": exchanges.programmes_as_json(),
        "inbound_door": {
            "api_key": exchanges.DOOR_API_KEY,
            "partner_id": next(
                p.public_id
                for p in demo.partners
                if p.api_identifier == catalogue.AIR.api_identifier
            ),
            "url": f"/v1/programmes/{currency.code}/accounts/{{membership_id}}/"
            f"credit-transaction-requests?api_key={exchanges.DOOR_API_KEY}",
        },
        "urls": {
            "admin": "/admin/",
            "api": "/public/v3.0/",
            "api_docs": "/public/v3.0/docs/",
            "api_schema": "/public/v3.0/schema/",
            "finance_reports": "/admin/loyalty/loyaltycurrency/reports/",
            "points_expiring": "/admin/loyalty/member/expiring/",
        },
    }


def _pending_due_soon(*, currency: LoyaltyCurrency, now: dt.datetime) -> int:
    """Pending transactions due within DUE_SOON (overdue ones count: the sweeper releases them
    at its next run)."""
    return Transaction.objects.filter(
        loyalty_currency=currency,
        status=TransactionStatus.PENDING,
        release_date__lte=now + DUE_SOON,
    ).count()


def _pending_due_soon_ensure(*, currency: LoyaltyCurrency, now: dt.datetime) -> int:
    """Top the pending transactions due within DUE_SOON up to DUE_SOON_MINIMUM; return the count."""
    due_soon = _pending_due_soon(currency=currency, now=now)
    missing = max(DUE_SOON_MINIMUM - due_soon, 0)
    if not missing:
        return due_soon
    mint = mint_account(loyalty_currency=currency)
    members = Member.objects.filter(
        loyalty_currency=currency, membership_id__in=programme.membership_ids()
    ).order_by("membership_id")[:missing]
    for minutes, member in enumerate(members, start=1):
        ledger.hold(
            origin=mint,
            destination=member_account(member=member),
            amount=250 * minutes,
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.STANDARD,
            release_date=now + dt.timedelta(minutes=minutes),
            reason="Referral bonus, released after a short cooling-off period",
            reason_code=ReasonCode.REFERRAL_REWARD,
            created_by_partner=currency.owner,
            now=now,
        )
    return due_soon + len(members)
