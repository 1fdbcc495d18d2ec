from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from loyalty.models import Account, LoyaltyCurrency, Member


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
