"""Demo data for a fresh install: one programme, two partners, members and a ledger history.

It touches every app (it creates API credentials too), so it lives at the top of the layout.
`manage.py seed_demo` calls `demo_seed`, and `make run` calls the command on every start, so
seeding is idempotent: entities are looked up by their natural keys (currency code, partner
api_identifier, tier code, membership id) and created only when missing. The transaction history
is written for the members a run creates (so only by the first run), always through the ledger.
Every run also keeps a few pending transactions due within minutes, so that the release sweeper
has something to show as soon as the worker starts.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from loyalty import ledger
from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Member,
    Partner,
    Partnership,
    PartnershipType,
    ReasonCode,
    Tier,
    Transaction,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
from loyalty.services.members import member_create
from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create

CURRENCY_CODE = "EXAMPLE_POINTS"
MEMBER_COUNT = 50
FIRST_MEMBERSHIP_NUMBER = 100001
# Pending transactions released at most this far ahead count as "due soon"; every run keeps
# DUE_SOON_MINIMUM of them, released 1, 2, 3... minutes after the run.
DUE_SOON = dt.timedelta(minutes=5)
DUE_SOON_MINIMUM = 3
# Fixed seeds: the same names, tiers and amounts on every machine.
MEMBERS_SEED = 20240601
HISTORY_SEED = 20240602

_OWNER = {"api_identifier": "example-rewards", "company_name": "Example Rewards"}
_CURRENCY = {
    "name": "Example Points",
    "fiat_currency": "EUR",
    "base_economic_value": Decimal("0.0060"),
    "issuing_partners_cost": Decimal("0.0100"),
    "customers_perceived_value": Decimal("0.0125"),
}


@dataclass(frozen=True)
class _PartnerSpec:
    api_identifier: str
    company_name: str
    credit_limit: int  # of its default account in EXAMPLE_POINTS
    accrual_reason: str
    booking_prefix: str


_AIR = _PartnerSpec("example-air", "Example Air", 2_000_000, "Flight", "AIR")
_HOTELS = _PartnerSpec("example-hotels", "Example Hotels", 0, "Hotel stay", "HTL")
# Example Hotels has no credit: it buys this many units from the mint before it awards any.
_HOTELS_PURCHASE = 300_000
# (code, name, level, members in every ten)
_TIERS = (
    ("bronze", "Bronze", 1, 6),
    ("silver", "Silver", 2, 3),
    ("gold", "Gold", 3, 1),
)
_FIRST_NAMES = (
    "Ada", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kai", "Lena", "Mateo", "Nora", "Omar", "Paula", "Quentin", "Rosa", "Sven", "Tara",
)  # fmt: skip
_LAST_NAMES = (
    "Andersen", "Bianchi", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Horvath",
    "Ivanova", "Jensen", "Kowalski", "Lopes", "Moreau", "Novak", "Okafor", "Petrov",
)  # fmt: skip
_COUNTRIES = ("DEU", "ESP", "FRA", "GBR", "IRL", "ITA", "NLD", "PRT")


@dataclass(frozen=True)
class DemoData:
    """What the demo consists of after a run, and what that run added."""

    loyalty_currency: LoyaltyCurrency
    partners: list[Partner]  # the two partners other than the currency owner
    api_keys: dict[int, tuple[str, str]]  # partner pk -> (public key, secret key)
    tiers: list[Tier]
    members: list[Member]
    admin_username: str
    admin_password: str
    admin_created: bool
    members_created: int
    transactions_created: int
    pending_due_soon: int


@transaction.atomic
def demo_seed(*, admin_username: str, admin_password: str) -> DemoData:
    """Create whatever part of the demo is missing, in one database transaction."""
    now = timezone.now()
    transactions_before = Transaction.objects.count()

    currency = _currency_get_or_create()
    partner_accounts = {
        spec: _partner_account(spec=spec, currency=currency) for spec in (_AIR, _HOTELS)
    }
    tiers = _tiers_get_or_create(currency=currency)
    new_members = _members_create_missing(currency=currency, tiers=tiers)
    if new_members:
        _history_create(
            members=new_members,
            mint=mint_account(loyalty_currency=currency),
            partner_accounts=partner_accounts,
            now=now,
        )
    pending_due_soon = _pending_due_soon_ensure(currency=currency, now=now)
    admin_created = _admin_get_or_create(username=admin_username, password=admin_password)
    partners = [account.partner for account in partner_accounts.values()]
    _partnerships_ensure(currency=currency, partners=partners)

    return DemoData(
        loyalty_currency=currency,
        partners=partners,
        api_keys=_api_keys_ensure(partners=[currency.owner, *partners]),
        tiers=tiers,
        members=list(
            Member.objects.filter(
                loyalty_currency=currency, membership_id__in=_membership_ids()
            ).order_by("membership_id")
        ),
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
            "public_key": public_key,
            "secret_key": secret_key,
        }

    return {
        "admin": {"username": demo.admin_username, "password": demo.admin_password},
        "loyalty_currency": demo.loyalty_currency.code,
        "currency_owner": partner_data(demo.loyalty_currency.owner),
        "partners": [partner_data(partner) for partner in demo.partners],
        "members": [
            {"loyalty_program_identifiers": member.loyalty_program_identifiers}
            for member in demo.members
        ],
    }


# Entities -----------------------------------------------------------------------------------


def _currency_get_or_create() -> LoyaltyCurrency:
    currency = LoyaltyCurrency.objects.filter(code=CURRENCY_CODE).first()
    if currency is not None:
        return currency
    owner, _ = Partner.objects.get_or_create(
        api_identifier=_OWNER["api_identifier"],
        defaults={"company_name": _OWNER["company_name"]},
    )
    return loyalty_currency_create(code=CURRENCY_CODE, owner=owner, **_CURRENCY)


def _partner_account(*, spec: _PartnerSpec, currency: LoyaltyCurrency) -> Account:
    """The partner's default account, with the partner attached (the history reads it)."""
    partner, _ = Partner.objects.get_or_create(
        api_identifier=spec.api_identifier, defaults={"company_name": spec.company_name}
    )
    account = partner_account_get_or_create(
        partner=partner, loyalty_currency=currency, credit_limit=spec.credit_limit
    )
    account.partner = partner
    return account


def _partnerships_ensure(*, currency: LoyaltyCurrency, partners: list[Partner]) -> None:
    """Both demo partners issue EXAMPLE_POINTS; Example Hotels also takes them as payment."""
    wanted = [(partner, PartnershipType.ISSUING) for partner in partners]
    wanted.append((partners[-1], PartnershipType.REDEMPTION))
    for partner, kind in wanted:
        Partnership.objects.get_or_create(
            partner=partner,
            loyalty_currency=currency,
            type=kind,
            defaults={"member_lookup_available": True},
        )


def _api_keys_ensure(*, partners: list[Partner]) -> dict[int, tuple[str, str]]:
    """An active API credential per demo partner; an existing one is reused (it is decrypted,
    as demo keys are printed on every run)."""
    keys = {}
    for partner in partners:
        credential = (
            PartnerCredential.objects.filter(partner=partner, status=CredentialStatus.ACTIVE)
            .order_by("created_at")
            .first()
        )
        if credential is None:
            issued = credential_create(partner=partner, label="demo")
            keys[partner.pk] = (issued.public_key, issued.secret_key)
        else:
            keys[partner.pk] = (credential.public_key, credential.secret_key)
    return keys


def _tiers_get_or_create(*, currency: LoyaltyCurrency) -> list[Tier]:
    return [
        Tier.objects.get_or_create(
            loyalty_currency=currency, code=code, defaults={"name": name, "level": level}
        )[0]
        for code, name, level, _ in _TIERS
    ]


def _membership_ids() -> list[str]:
    return [f"M{FIRST_MEMBERSHIP_NUMBER + n}" for n in range(MEMBER_COUNT)]


def _member_profiles(*, tiers: list[Tier]) -> list[dict[str, Any]]:
    """The demo members' profiles, identical on every run (drawn from MEMBERS_SEED)."""
    rng = random.Random(MEMBERS_SEED)
    weights = [in_ten for *_, in_ten in _TIERS]
    profiles = []
    for membership_id in _membership_ids():
        first_name, last_name = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        profiles.append(
            {
                "loyalty_program_identifiers": {"id": membership_id},
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{first_name}.{last_name}.{membership_id}@example.com".lower(),
                "country": rng.choice(_COUNTRIES),
                "tier": rng.choices(tiers, weights=weights)[0],
            }
        )
    return profiles


def _members_create_missing(*, currency: LoyaltyCurrency, tiers: list[Tier]) -> list[Member]:
    existing = set(
        Member.objects.filter(
            loyalty_currency=currency, membership_id__in=_membership_ids()
        ).values_list("membership_id", flat=True)
    )
    return [
        member_create(loyalty_currency=currency, **profile)
        for profile in _member_profiles(tiers=tiers)
        if profile["loyalty_program_identifiers"]["id"] not in existing
    ]


def _admin_get_or_create(*, username: str, password: str) -> bool:
    """Make sure the staff superuser exists; an existing user keeps its password."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user_model.objects.create_superuser(
            username=username, email=f"{username}@example.com", password=password
        )
        return True
    if not (user.is_active and user.is_staff and user.is_superuser):
        user.is_active = user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_active", "is_staff", "is_superuser"])
    return False


# Transactions -------------------------------------------------------------------------------


def _history_create(
    *,
    members: list[Member],
    mint: Account,
    partner_accounts: dict[_PartnerSpec, Account],
    now: dt.datetime,
) -> None:
    """A plausible past for new members: welcome bonuses, partner accruals, some redemptions
    and accruals still pending for days."""
    rng = random.Random(HISTORY_SEED)
    air, hotels = partner_accounts[_AIR], partner_accounts[_HOTELS]
    ledger.post(
        origin=mint,
        destination=hotels,
        amount=_HOTELS_PURCHASE,
        type=TransactionType.LOYALTY_CURRENCY_PURCHASE,
        sub_type=TransactionSubType.BUY,
        reason="Units bought to award to hotel guests",
        now=now,
    )
    for member in members:
        account = member_account(member=member)
        ledger.post(
            origin=mint,
            destination=account,
            amount=500,
            type=TransactionType.ACCRUAL,
            sub_type=TransactionSubType.STANDARD,
            reason="Welcome bonus",
            reason_code=ReasonCode.BONUS_REWARD,
            now=now,
        )
        balance = 500
        for _ in range(rng.randint(1, 4)):
            spec = rng.choice((_AIR, _HOTELS))
            amount = rng.randint(1, 20) * 100 * member.tier.level
            ledger.post(
                origin=partner_accounts[spec],
                destination=account,
                amount=amount,
                type=TransactionType.ACCRUAL,
                sub_type=TransactionSubType.PURCHASE_RULE,
                reason=spec.accrual_reason,
                reason_code=ReasonCode.SERVICE_PURCHASE,
                external_reference=_booking_reference(prefix=spec.booking_prefix, rng=rng),
                created_by_partner=partner_accounts[spec].partner,
                now=now,
            )
            balance += amount
        if rng.randrange(5) == 0:
            ledger.post(
                origin=account,
                destination=hotels,
                amount=balance // 2,
                type=TransactionType.REDEMPTION,
                sub_type=TransactionSubType.STANDARD,
                reason="Hotel night paid with points",
                reason_code=ReasonCode.SERVICE_PURCHASE,
                external_reference=_booking_reference(prefix=_HOTELS.booking_prefix, rng=rng),
                created_by_partner=hotels.partner,
                now=now,
            )
        if rng.randrange(7) == 0:
            ledger.hold(
                origin=air,
                destination=account,
                amount=rng.randint(5, 30) * 100,
                type=TransactionType.ACCRUAL,
                sub_type=TransactionSubType.PURCHASE_RULE,
                release_date=now + dt.timedelta(days=rng.randint(2, 30)),
                reason="Flight booked; points are released after the trip",
                reason_code=ReasonCode.SERVICE_PURCHASE,
                external_reference=_booking_reference(prefix=_AIR.booking_prefix, rng=rng),
                created_by_partner=air.partner,
                now=now,
            )


def _booking_reference(*, prefix: str, rng: random.Random) -> str:
    return f"{prefix}-{rng.randrange(16**6):06X}"


def _pending_due_soon_ensure(*, currency: LoyaltyCurrency, now: dt.datetime) -> int:
    """Top the pending transactions due within DUE_SOON up to DUE_SOON_MINIMUM; return the count.

    Overdue ones count too: the sweeper releases them at its next run.
    """
    due_soon = Transaction.objects.filter(
        loyalty_currency=currency,
        status=TransactionStatus.PENDING,
        release_date__lte=now + DUE_SOON,
    ).count()
    missing = max(DUE_SOON_MINIMUM - due_soon, 0)
    if not missing:
        return due_soon
    mint = mint_account(loyalty_currency=currency)
    members = Member.objects.filter(
        loyalty_currency=currency, membership_id__in=_membership_ids()
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
            now=now,
        )
    return due_soon + len(members)
