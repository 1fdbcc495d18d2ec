"""The demo's entities, each looked up by its natural key and created only when missing: the
currency and its owner, the partners with their accounts and partnerships, tiers, earning rules,
a cohort, FX rates, API credentials, members and the staff superuser."""

import csv
import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from loyalty.models import (
    Account,
    ActivityRule,
    Cohort,
    FxRate,
    LoyaltyCurrency,
    Member,
    Partner,
    Partnership,
    PurchaseRule,
    PurchaseRuleTierMultiplier,
    RedemptionPartnership,
    RedemptionPrice,
    RedemptionTierPrice,
    Tier,
)
from loyalty.models.rules import WEEKDAY_FIELDS
from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
from loyalty.services.cohorts import cohort_create
from loyalty.services.fx import fx_rates_import_csv
from loyalty.services.members import member_create
from partners.demo import catalogue
from partners.demo.catalogue import PartnerSpec
from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create


def currency_get_or_create() -> LoyaltyCurrency:
    currency = LoyaltyCurrency.objects.filter(code=catalogue.CURRENCY_CODE).first()
    if currency is not None:
        return currency
    owner, _ = Partner.objects.get_or_create(
        api_identifier=catalogue.OWNER["api_identifier"],
        defaults={"company_name": catalogue.OWNER["company_name"]},
    )
    return loyalty_currency_create(code=catalogue.CURRENCY_CODE, owner=owner, **catalogue.CURRENCY)


def partner_account(*, spec: PartnerSpec, currency: LoyaltyCurrency) -> Account:
    """The partner's default account, with the partner attached (the history reads it)."""
    partner, _ = Partner.objects.get_or_create(
        api_identifier=spec.api_identifier, defaults={"company_name": spec.company_name}
    )
    account = partner_account_get_or_create(
        partner=partner, loyalty_currency=currency, credit_limit=spec.credit_limit
    )
    account.partner = partner
    return account


def partnerships_ensure(*, currency: LoyaltyCurrency, partners: dict[str, Partner]) -> None:
    """The partnerships with the points: Air and Hotels issue, Hotels and Shop redeem (the
    exchanges with Air's miles are exchange partnerships, see partners/demo/exchanges.py)."""
    for spec in catalogue.PARTNERS:
        for kind in spec.kinds:
            Partnership.objects.get_or_create(
                partner=partners[spec.api_identifier],
                loyalty_currency=currency,
                type=kind,
                defaults={"member_lookup_available": True},
            )


def redemption_prices_ensure(*, currency: LoyaltyCurrency, partners: dict[str, Partner]) -> None:
    """Example Hotels' redemption terms: its prices per category (and Gold's on stays), a
    minimum, adjustments and cancellations allowed; set once, when it has no prices yet."""
    partnership = RedemptionPartnership.objects.get(
        partner=partners[catalogue.HOTELS.api_identifier], loyalty_currency=currency
    )
    if partnership.redemption_prices.exists():
        return
    partnership.adjustment_allowed = True
    partnership.minimum_member_transaction_amount = catalogue.HOTELS_REDEMPTION_MINIMUM
    partnership.save(update_fields=["adjustment_allowed", "minimum_member_transaction_amount"])
    tiers = {tier.code: tier for tier in currency.tiers.all()}
    for category, (price_type, custom_value) in catalogue.HOTELS_REDEMPTION_PRICES.items():
        price = RedemptionPrice.objects.create(
            partnership=partnership,
            category=category,
            price_type=price_type,
            custom_value=custom_value,
        )
        for (
            tier_category,
            tier_code,
        ), unit_value in catalogue.HOTELS_REDEMPTION_TIER_PRICES.items():
            if tier_category == category and tier_code in tiers:
                RedemptionTierPrice.objects.create(
                    price=price, tier=tiers[tier_code], unit_value=unit_value
                )


def tiers_get_or_create(*, currency: LoyaltyCurrency) -> list[Tier]:
    return [
        Tier.objects.get_or_create(
            loyalty_currency=currency,
            code=code,
            defaults={"name": name, "level": level, "threshold": threshold},
        )[0]
        for code, name, level, threshold in catalogue.TIERS
    ]


def rules_get_or_create(*, currency: LoyaltyCurrency, tiers: list[Tier], now: dt.datetime):
    """The purchase and activity rules, by name; a promotion's window lies in the past."""
    by_code = {tier.code: tier for tier in tiers}
    for spec in catalogue.PURCHASE_RULES:
        if PurchaseRule.objects.filter(loyalty_currency=currency, name=spec.name).exists():
            continue
        window = {}
        if spec.valid_days_ago:
            start, end = spec.valid_days_ago
            window = {
                "valid_from": now - dt.timedelta(days=start),
                "valid_to": now - dt.timedelta(days=end),
            }
        weekdays = {name: name in ("on_saturday", "on_sunday") for name in WEEKDAY_FIELDS}
        rule = PurchaseRule.objects.create(
            loyalty_currency=currency,
            name=spec.name,
            reason=spec.reason,
            tags=spec.tags,
            fiat_currency=currency.fiat_currency,
            points_per_unit=spec.points_per_unit,
            fixed_bonus=spec.fixed_bonus,
            is_bonus=spec.is_bonus,
            max_points_per_member=spec.max_points_per_member,
            member_cap_period=spec.member_cap_period,
            **(weekdays if spec.weekend_only else {}),
            **window,
        )
        PurchaseRuleTierMultiplier.objects.bulk_create(
            PurchaseRuleTierMultiplier(rule=rule, tier=by_code[code], multiplier=multiplier)
            for code, multiplier in spec.tier_multipliers.items()
        )
    for spec in catalogue.ACTIVITY_RULES:
        ActivityRule.objects.get_or_create(
            loyalty_currency=currency,
            name=spec.name,
            defaults={
                "activity": spec.activity,
                "points": spec.points,
                "reason": spec.reason,
                "once_per_member": spec.once_per_member,
                "max_per_member": spec.max_per_member,
                "limit_period": spec.limit_period,
            },
        )


def cohort_get_or_create(*, owner: Partner) -> Cohort:
    cohort = Cohort.objects.filter(owner=owner, partner__company_name=catalogue.COHORT_NAME)
    return cohort.first() or cohort_create(owner=owner, company_name=catalogue.COHORT_NAME)


def fx_rates_ensure(*, today: dt.date) -> None:
    """Business-day EUR/USD and EUR/GBP rates back to the history's start, through the CSV
    import staff use (existing days are left as they are)."""
    first = today - dt.timedelta(days=catalogue.HISTORY_DAYS + 7)
    have = set(FxRate.objects.filter(base="EUR", date__gte=first).values_list("quote", "date"))
    rng = random.Random(catalogue.HISTORY_SEED)
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(["date", "base", "quote", "rate"])
    missing = 0
    day = first
    while day <= today:
        for quote, around in catalogue.FX_RATES.items():
            wiggle = Decimal(1 + (rng.random() - 0.5) / 50)
            if day.weekday() < 5 and (quote, day) not in have:
                writer.writerow([day.isoformat(), "EUR", quote, f"{around * wiggle:.4f}"])
                missing += 1
        day += dt.timedelta(days=1)
    if missing:
        lines.seek(0)
        result = fx_rates_import_csv(file=lines, source=catalogue.FX_SOURCE)
        assert not result.errors, result.errors


def api_keys_ensure(*, partners: list[Partner]) -> dict[int, tuple[str, str]]:
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


def membership_ids() -> list[str]:
    return [f"M{catalogue.FIRST_MEMBERSHIP_NUMBER + n}" for n in range(catalogue.MEMBER_COUNT)]


def member_profiles() -> list[dict[str, Any]]:
    """The demo members' profiles, identical on every run (drawn from MEMBERS_SEED)."""
    rng = random.Random(catalogue.MEMBERS_SEED)
    profiles = []
    for membership_id in membership_ids():
        first_name = rng.choice(catalogue.FIRST_NAMES)
        last_name = rng.choice(catalogue.LAST_NAMES)
        profiles.append(
            {
                "loyalty_program_identifiers": {"id": membership_id},
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{first_name}.{last_name}.{membership_id}@example.com".lower(),
                "country": rng.choice(catalogue.COUNTRIES),
                "birth_date": dt.date(
                    rng.randint(1955, 2004), rng.randint(1, 12), rng.randint(1, 28)
                ),
                "city": rng.choice(catalogue.CITIES),
            }
        )
    return profiles


def members_create_missing(*, currency: LoyaltyCurrency, tiers: list[Tier]) -> list[Member]:
    """New members start in the lowest tier; the recompute after their history moves them."""
    existing = set(
        Member.objects.filter(
            loyalty_currency=currency, membership_id__in=membership_ids()
        ).values_list("membership_id", flat=True)
    )
    return [
        member_create(loyalty_currency=currency, tier=tiers[0], **profile)
        for profile in member_profiles()
        if profile["loyalty_program_identifiers"]["id"] not in existing
    ]


def admin_get_or_create(*, username: str, password: str) -> tuple[AbstractBaseUser, bool]:
    """Make sure the staff superuser exists; an existing user keeps its password."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_superuser(
            username=username, email=f"{username}@example.com", password=password
        )
        return user, True
    if not (user.is_active and user.is_staff and user.is_superuser):
        user.is_active = user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_active", "is_staff", "is_superuser"])
    return user, False
