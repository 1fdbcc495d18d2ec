"""The inbound Avios-style credit door: a partner used to the Avios Credit Currency contract
credits our members with it (partners.avios.door). Every refusal is the contract's
(partners.avios.contract.ContractError); an accepted credit is an ordinary accrual from the
partner's issuing account (loyalty.services.transactions.accrual_create). The one departure
from the contract: the account identifier is our membership id, so it may hold letters as well
as digits (1 to 24 of them).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from loyalty.errors import DomainError
from loyalty.models import LoyaltyCurrency, Member, Partner, PartnershipType
from loyalty.services.partnerships import has_partnership
from loyalty.services.transactions import accrual_create
from partners.avios import contract
from partners.models import InboundCredit, InboundDoorKey
from partners.models.inbound import door_key, key_digest


@dataclass(frozen=True)
class IssuedDoorKey:
    key: InboundDoorKey
    api_key: str  # shown once


def door_key_create(
    *,
    partner: Partner,
    label: str = "",
    maximum_amount: int = contract.MAX_AMOUNT,
    external_sources: list[str] | None = None,
) -> IssuedDoorKey:
    api_key = door_key()
    key = InboundDoorKey.objects.create(
        partner=partner,
        key_sha256=key_digest(api_key),
        label=label,
        maximum_amount=maximum_amount,
        external_sources=external_sources or [],
    )
    return IssuedDoorKey(key=key, api_key=api_key)


def _identifier() -> str:
    return secrets.token_hex(8).upper()  # 16 characters, as the contract's identifiers


@transaction.atomic
def avios_credit(
    *,
    version: str,
    programme: str,
    account: str,
    api_key: str,
    body: Any,
    now: dt.datetime | None = None,
) -> dict:
    """Credit `account` (the membership id) in the hosted currency `programme` (its code);
    return the contract's success body or raise its ContractError."""
    now = now or timezone.now()
    contract.check_path(version=version, account=account, account_format=contract.MEMBERSHIP_ID)
    key = None
    if api_key and len(api_key) == 24:
        key = (
            InboundDoorKey.objects.select_related("partner")
            .filter(key_sha256=key_digest(api_key), active=True)
            .first()
        )
    if key is None:
        raise contract.ContractError(
            "API_KEY_INVALID", [], "The api_key is missing, unknown or revoked.", status=401
        )
    partner = key.partner
    currency = LoyaltyCurrency.objects.filter(code=programme, is_hosted=True).first()
    if currency is None:
        raise contract.error(contract.PROGRAMME_INVALID, f"No programme {programme}.")
    if not partner.is_active or not has_partnership(partner, currency, PartnershipType.ISSUING):
        raise contract.error(
            contract.PROGRAMME_NOT_SUPPORTED,
            f"Your key has no issuing partnership with {currency.code}.",
        )
    request = contract.parse_credit(
        body,
        now=now,
        max_amount=key.maximum_amount,
        currency_codes=(contract.CURRENCY_CODE, currency.code),
    )
    if key.external_sources and request.external_source not in key.external_sources:
        raise contract.error(contract.INVALID_PROMOTER_CODE, path="externalSource")
    member = Member.objects.filter(loyalty_currency=currency, membership_id=account).first()
    if member is None:
        raise contract.error(contract.ACCOUNT_INVALID)
    if not member.is_active:
        raise contract.error(contract.ACCOUNT_NOT_AUTHORISED, f"The account is {member.status}.")
    if not contract.names_match(stored_family=member.last_name, sent_family=request.family_name):
        raise contract.error(contract.MEMBERSHIP_NUMBER_SURNAME_MISMATCH)
    if request.first_name and request.first_name.strip().upper() != member.first_name.upper():
        raise contract.error(contract.MEMBERSHIP_NUMBER_NAME_MISMATCH)
    duplicate = InboundCredit.objects.filter(
        member=member,
        amount=request.amount,
        description=request.description,
        external_transaction_date=request.external_transaction_date_text,
    )
    if duplicate.exists():
        raise contract.error(contract.DUPLICATE_TRANSACTION)
    try:
        with transaction.atomic():
            tx = accrual_create(
                partner=partner,
                loyalty_currency=currency,
                member={"id": account},
                origin=partner.public_id,
                amount=request.amount,
                external_reference=request.external_transaction_identifier,
                reason=request.description[:255],
                loyalty_system_data={
                    "channel": "avios_credit_door",
                    "externalSource": request.external_source,
                    "externalTransactionDate": request.external_transaction_date_text,
                    **request.optional,
                },
            )
            credit = InboundCredit.objects.create(
                identifier=_identifier(),
                partner=partner,
                member=member,
                transaction=tx,
                amount=request.amount,
                description=request.description,
                external_transaction_date=request.external_transaction_date_text,
                external_transaction_identifier=request.external_transaction_identifier,
                external_source=request.external_source,
            )
    except IntegrityError as clash:  # the same credit accepted concurrently
        raise contract.error(contract.DUPLICATE_TRANSACTION) from clash
    except DomainError as refused:
        raise contract.error(contract.DATA_INVALID, refused.message) from refused
    return contract.success_body(identifier=credit.identifier, date_made=now, request=request)
