"""Members: creation (with their account), registration by the currency owner, profile updates.

A member is identified within its currency by the `id` inside loyalty_program_identifiers (its
membership number, stored as `membership_id` under a unique constraint). Individuals carry a
name, gender and birth date; companies a company name and registration number; the rest of the
profile (contact details, address, bank accounts, tier) is shared.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery

from loyalty.errors import DomainError
from loyalty.models import Account, LoyaltyCurrency, Member, MemberType, Tier

INDIVIDUAL_FIELDS = ("first_name", "last_name", "gender", "birth_date")
COMPANY_FIELDS = ("company_name", "company_registration_number")
# What a member of each type may not carry, and the empty value that clears it.
_OTHER_VARIANT = {
    MemberType.INDIVIDUAL: dict.fromkeys(COMPANY_FIELDS, ""),
    MemberType.COMPANY: {"first_name": "", "last_name": "", "gender": "", "birth_date": None},
}


class MemberInvalid(DomainError):
    """A profile the model refuses (e.g. a field too long), named by its field."""


class UnknownTier(DomainError):
    code = "does_not_exist"
    field = "tier"


def membership_id_from(identifiers: dict[str, Any]) -> str:
    """The membership number inside loyalty_program_identifiers (its `id`)."""
    value = identifiers.get("id") if isinstance(identifiers, dict) else None
    if value is None or str(value).strip() == "":
        raise ValidationError(
            {"loyalty_program_identifiers": "Give the membership number as the field `id`."}
        )
    return str(value).strip()


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
    member.full_clean()
    member.save()
    Account.objects.create(member=member, loyalty_currency=loyalty_currency, credit_limit=0)
    return member


def members_with_balance() -> QuerySet[Member]:
    """Members with their tier, currency and account balance (`account_balance`) in one query.

    The balance is the spendable balance of the member's account in its own currency; units of
    pending transactions are not included.
    """
    balance = Account.objects.filter(
        member=OuterRef("pk"), loyalty_currency=OuterRef("loyalty_currency")
    ).values("balance")[:1]
    return Member.objects.select_related("tier", "loyalty_currency").annotate(
        account_balance=Subquery(balance)
    )


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
    except (IntegrityError, ValidationError) as exc:
        # A concurrent registration committed first (seen as a constraint error, either by
        # full_clean's check or by the insert itself): answer with its member.
        existing = _member_find(loyalty_currency=loyalty_currency, membership_id=membership_id)
        if existing is not None:
            return existing, False
        if isinstance(exc, ValidationError):
            raise _as_domain_error(exc) from exc
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
    try:
        member.full_clean()
    except ValidationError as exc:
        raise _as_domain_error(exc) from exc
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


def _as_domain_error(exc: ValidationError) -> DomainError:
    """The first of the model's complaints, named by its field, as a 400."""
    if not hasattr(exc, "error_dict"):
        return MemberInvalid(" ".join(exc.messages))
    field, errors = next(iter(exc.error_dict.items()))
    return MemberInvalid(
        " ".join(ValidationError(errors).messages),
        field=None if field == NON_FIELD_ERRORS else field,
    )
