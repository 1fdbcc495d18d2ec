"""The demo's exchanges: a second hosted currency (Example Air's miles), the external AVIOS
whose connector points at the bundled sandbox programme, exchange partnerships both ways
between the hosted ones and out to AVIOS, linked AVIOS accounts for a few demo members, and a
key for the inbound credit door. Idempotent like the rest of the demo."""

from decimal import Decimal

from django.conf import settings

from loyalty.models import (
    ExchangeDirection,
    ExchangePartnership,
    LinkedAccount,
    LinkedAccountSource,
    LoyaltyCurrency,
    Member,
    Partner,
)
from loyalty.services.accounts import loyalty_currency_create, partner_account_get_or_create
from loyalty.services.members import member_create
from partners.models import InboundDoorKey, ProgrammeConnector
from partners.models.inbound import key_digest
from partners.sandbox.programme import ACTIVE, DEMO_API_KEY, DEMO_SOURCE
from partners.services.connectors import connector_set

MILES_CODE = "EXAMPLE_MILES"
AVIOS_CODE = "AVIOS"
AVIOS_OWNER = {"api_identifier": "avios-sandbox", "company_name": "Avios (sandbox programme)"}
# The miles programme's own members (flyers), and how many of the points members have an
# AVIOS account linked.
FLYERS = (
    ("EA900001", "Lena", "Fischer"),
    ("EA900002", "Marco", "Rossi"),
    ("EA900003", "Aiko", "Tanaka"),
)
LINKED_AVIOS_MEMBERS = 4
# The inbound door's demo key (24 characters, as the Avios contract's): printed by --json.
DOOR_API_KEY = "demodoorkey0000000000001"
AVIOS_REQUIRED_FIELDS = [
    {"id": "id", "name": "Avios membership number"},
    {"id": "family_name", "name": "Family name"},
]


def sandbox_url() -> str:
    return f"http://127.0.0.1:{settings.SANDBOX_PROGRAMME_PORT}"


def avios_account_number(position: int) -> str:
    """The 16-digit sandbox account linked to the demo member at `position` (1-based)."""
    return f"30814700000001{position:02d}"


def sandbox_members(points_members: list[dict]) -> dict[str, dict]:
    """The sandbox accounts of the linked demo members (their family names), for the sandbox
    programme `make run` serves."""
    return {
        avios_account_number(n): {
            "family_name": profile["last_name"],
            "first_name": profile["first_name"],
            "status": ACTIVE,
        }
        for n, profile in enumerate(points_members[:LINKED_AVIOS_MEMBERS], start=1)
    }


def _currency(code: str, name: str, owner: Partner, fiat: str, hosted: bool) -> LoyaltyCurrency:
    currency = LoyaltyCurrency.objects.filter(code=code).first()
    return currency or loyalty_currency_create(
        code=code, name=name, owner=owner, fiat_currency=fiat, is_hosted=hosted
    )


def exchanges_ensure(*, points: LoyaltyCurrency, air: Partner, members: list[Member]) -> dict:
    """Create what is missing; return the currencies and the door key."""
    miles = _currency(MILES_CODE, "Example Miles", air, "EUR", True)
    owner, _ = Partner.objects.get_or_create(
        api_identifier=AVIOS_OWNER["api_identifier"],
        defaults={"company_name": AVIOS_OWNER["company_name"]},
    )
    avios = _currency(AVIOS_CODE, "Avios", owner, "GBP", False)
    if not ProgrammeConnector.objects.filter(loyalty_currency=avios).exists():
        connector_set(
            loyalty_currency=avios,
            base_url=sandbox_url(),
            api_key=DEMO_API_KEY,
            programme_identifier="ATRP",
            external_source=DEMO_SOURCE,
        )
    # Example Air receives points when members exchange them for its miles, and gives points
    # (within its credit) when flyers bring miles in.
    partner_account_get_or_create(partner=air, loyalty_currency=points, credit_limit=2_000_000)
    partner_account_get_or_create(partner=owner, loyalty_currency=points, credit_limit=0)
    for partner, other, direction, ratio, fields in (
        (air, miles, ExchangeDirection.EXCHANGE_OUT, Decimal("0.5"), []),
        (air, miles, ExchangeDirection.EXCHANGE_IN, Decimal("2"), []),
        (owner, avios, ExchangeDirection.EXCHANGE_OUT, Decimal("1"), AVIOS_REQUIRED_FIELDS),
    ):
        ExchangePartnership.objects.get_or_create(
            loyalty_currency=points,
            partner_currency=other,
            direction=direction,
            defaults={
                "partner": partner,
                "conversion_ratio_per_unit": ratio,
                "minimum_member_transaction_amount": 100,
                "maximum_member_transaction_amount": 100_000,
                "execute_required_fields": fields,
            },
        )
    flyers = []
    for membership_id, first_name, last_name in FLYERS:
        flyer = Member.objects.filter(loyalty_currency=miles, membership_id=membership_id).first()
        flyers.append(
            flyer
            or member_create(
                loyalty_currency=miles,
                loyalty_program_identifiers={"id": membership_id},
                first_name=first_name,
                last_name=last_name,
            )
        )
    for n, member in enumerate(members[:LINKED_AVIOS_MEMBERS], start=1):
        LinkedAccount.objects.get_or_create(
            member=member,
            loyalty_currency=avios,
            defaults={
                "membership_number": avios_account_number(n),
                "family_name": member.last_name,
                "first_name": member.first_name,
                "source": LinkedAccountSource.STAFF,
            },
        )
    for member, flyer in zip(members, flyers, strict=False):
        LinkedAccount.objects.get_or_create(
            member=member,
            loyalty_currency=miles,
            defaults={"membership_number": flyer.membership_id, "family_name": flyer.last_name},
        )
    InboundDoorKey.objects.get_or_create(
        key_sha256=key_digest(DOOR_API_KEY), defaults={"partner": air, "label": "demo"}
    )
    return {"miles": miles, "avios": avios}


def programmes_as_json() -> list[dict]:
    return [
        {
            "loyalty_currency": connector.loyalty_currency.code,
            "connector": connector.kind,
            "base_url": connector.base_url,
        }
        for connector in ProgrammeConnector.objects.select_related("loyalty_currency")
    ]


def linked_accounts_as_json(member: Member) -> list[dict]:
    return [
        {
            "loyalty_currency": linked.loyalty_currency.code,
            "membership_number": linked.membership_number,
            "family_name": linked.family_name,
        }
        for linked in member.linked_accounts.select_related("loyalty_currency").order_by("pk")
    ]
