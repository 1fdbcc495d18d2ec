"""Members: creation (with their account), registration by the currency owner, profile updates.

A member is identified within its currency by the `id` inside loyalty_program_identifiers (its
membership number, stored as `membership_id` under a unique constraint). Individuals carry a
name, gender and birth date; companies a company name and registration number; the rest of the
profile (contact details, address, bank accounts, tier) is shared.
"""

from typing import Any

from django.db import IntegrityError, transaction

from loyalty.errors import DomainError, MemberInvalid, UnknownTier
from loyalty.models import Account, LoyaltyCurrency, Member, MemberType, Partner, Tier
from loyalty.selectors import member_with_balance_get, members_with_balance, membership_id_from
from loyalty.services.cleaning import full_clean
from loyalty.services.partnerships import managed_currency, require_partnership

INDIVIDUAL_FIELDS = ("first_name", "last_name", "gender", "birth_date")
COMPANY_FIELDS = ("company_name", "company_registration_number")
# What a member of each type may not carry, and the empty value that clears it.
_OTHER_VARIANT = {
    MemberType.INDIVIDUAL: dict.fromkeys(COMPANY_FIELDS, ""),
    MemberType.COMPANY: {"first_name": "", "last_name": "", "gender": "", "birth_date": None},
}


@transaction.atomic
def member_create(
    *,
    loyalty_currency: LoyaltyCurrency,
    loyalty_program_identifiers: dict[str, Any],
    **profile: Any,
) -> Member:
    """Create a member and its account in the programme's currency."""
    member = Member(
        loyalty_currency=loyalty_currency,
        loyalty_program_identifiers=loyalty_program_identifiers,
        membership_id=membership_id_from(loyalty_program_identifiers),
        **profile,
    )
    full_clean(member, error=MemberInvalid)
    member.save()
    Account.objects.create(member=member, loyalty_currency=loyalty_currency, credit_limit=0)
    return member


def tier_resolve(*, loyalty_currency: LoyaltyCurrency, code: str) -> Tier:
    """The currency's tier with that code (the `tier` partners send), or UnknownTier (400)."""
    tier = Tier.objects.filter(loyalty_currency=loyalty_currency, code=code).first()
    if tier is None:
        raise UnknownTier(f"{loyalty_currency.code} has no tier {code!r}.")
    return tier


def member_register(
    *,
    loyalty_currency: LoyaltyCurrency,
    loyalty_program_identifiers: dict[str, Any],
    **profile: Any,
) -> tuple[Member, bool]:
    """Create the member unless one with the same membership number exists: (member, created).

    An existing member is returned unchanged, whatever profile was sent. Two concurrent
    registrations of one number cannot both create it: the loser's insert fails on the unique
    constraint inside member_create's savepoint, and it returns the winner's member instead.
    """
    membership_id = membership_id_from(loyalty_program_identifiers)
    _check_variant(profile.get("type", MemberType.INDIVIDUAL), profile)
    existing = _member_find(loyalty_currency=loyalty_currency, membership_id=membership_id)
    if existing is not None:
        return existing, False
    try:
        member = member_create(
            loyalty_currency=loyalty_currency,
            loyalty_program_identifiers=loyalty_program_identifiers,
            **profile,
        )
    except (IntegrityError, MemberInvalid):
        # A concurrent registration committed first (seen as a constraint error, either by
        # full_clean's check or by the insert itself): answer with its member.
        existing = _member_find(loyalty_currency=loyalty_currency, membership_id=membership_id)
        if existing is not None:
            return existing, False
        raise
    return member, True


@transaction.atomic
def member_update(*, member: Member, **changes: Any) -> Member:
    """Change the given profile fields of the member, and only those; returns it re-read.

    The row is locked first, so that concurrent updates apply one after the other. A change of
    `type` clears the fields of the other type (a company has no gender or birth date; an
    individual no company name), so the stored profile always fits the type. Fields of the
    other type sent in the same request are refused.
    """
    member = Member.objects.select_for_update().get(pk=member.pk)
    member_type = changes.get("type", member.type)
    _check_variant(member_type, changes)
    if member_type != member.type:
        changes = {**_OTHER_VARIANT[member_type], **changes}
    for name, value in changes.items():
        setattr(member, name, value)
    full_clean(member, error=MemberInvalid)
    member.save(update_fields=[*changes, "updated_at"])
    return member


def _member_find(*, loyalty_currency: LoyaltyCurrency, membership_id: str) -> Member | None:
    return Member.objects.filter(
        loyalty_currency=loyalty_currency, membership_id=membership_id
    ).first()


def _check_variant(member_type: str, fields: dict[str, Any]) -> None:
    """Refuse a non-empty field that the member's type does not have."""
    for name in _OTHER_VARIANT[MemberType(member_type)]:
        if fields.get(name) not in (None, ""):
            raise MemberInvalid(f"A {member_type} member has no {name}.", field=name)


# What partners do (contract operations 13-15) -------------------------------------------------


def _profile(changes: dict[str, Any], loyalty_currency: LoyaltyCurrency) -> dict[str, Any]:
    """The request's profile as model fields: the tier code becomes the currency's Tier."""
    if "tier" in changes:
        code = changes["tier"]
        changes = {
            **changes,
            "tier": tier_resolve(loyalty_currency=loyalty_currency, code=code) if code else None,
        }
    return changes


def partner_member_register(
    *,
    partner: Partner,
    loyalty_currency: str | None,
    loyalty_program_identifiers: dict[str, Any],
    **profile: Any,
) -> tuple[Member, bool]:
    """The currency owner registers a member (member_register); returns it with its balance
    (loyalty.selectors.members_with_balance) and whether it was created. `loyalty_currency`
    names the currency only when the owner has several."""
    currency = managed_currency(partner, loyalty_currency)
    member, created = member_register(
        loyalty_currency=currency,
        loyalty_program_identifiers=loyalty_program_identifiers,
        **_profile(profile, currency),
    )
    return members_with_balance().get(pk=member.pk), created


def partner_member_update(
    *,
    partner: Partner,
    loyalty_currency: str | None,
    loyalty_program_identifiers: dict[str, Any],
    **changes: Any,
) -> Member:
    """The currency owner changes the fields sent of a member (member_update); returns it with
    its balance. An unknown member is a 404."""
    currency = managed_currency(partner, loyalty_currency)
    member = member_with_balance_get(
        loyalty_currency=currency, identifiers=loyalty_program_identifiers
    )
    member_update(member=member, **_profile(changes, currency))
    return members_with_balance().get(pk=member.pk)


def member_lookup(
    *,
    partner: Partner,
    loyalty_currency: LoyaltyCurrency,
    loyalty_program_identifiers: dict[str, Any],
    linked_loyalty_currency: str | None = None,
) -> Member:
    """A member looked up by any partner of its currency, with its tier and balance; the
    caller's partnership is checked before the member is looked for."""
    require_partnership(partner, loyalty_currency)
    if linked_loyalty_currency is not None and linked_loyalty_currency != loyalty_currency.code:
        raise DomainError(
            "Looking a member up through a linked loyalty currency is not supported.",
            field="linked_loyalty_currency",
            code="not_supported",
        )
    return member_with_balance_get(
        loyalty_currency=loyalty_currency, identifiers=loyalty_program_identifiers
    )
