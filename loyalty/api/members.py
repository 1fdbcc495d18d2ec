"""Members (contract operations 13-15): create and update by the currency owner, lookup by any
partner of the currency."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from loyalty.api.member_serializers import (
    MemberLookupRequest,
    MemberWriteRequest,
    member_data,
    member_request_schema,
    member_response_schema,
)
from loyalty.errors import DomainError, Forbidden, NotFound
from loyalty.models import LoyaltyCurrency, Member, Partner
from loyalty.services import members as services
from partners import scope
from partners.api.errors import ERROR_RESPONSES
from partners.api.views import PartnerAPIView

# Request fields that locate the member and its currency rather than describe it.
_LOCATORS = ("loyalty_program_identifiers", "loyalty_currency")


def owned_currency(partner: Partner, code: str | None) -> LoyaltyCurrency:
    """The hosted currency whose members the caller manages: the one it owns, or, when it owns
    several, the one named by `loyalty_currency` (which the contract's requests do not have)."""
    if code is not None:
        currency = scope.currency_get(code=code)
        scope.require_owner(partner, currency, action="create or update its members")
    else:
        owned = list(LoyaltyCurrency.objects.filter(owner=partner)[:2])
        if not owned:
            raise Forbidden("Only the owner of a loyalty currency can create or update members.")
        if len(owned) > 1:
            raise DomainError(
                "You own several loyalty currencies: say which one in loyalty_currency.",
                field="loyalty_currency",
                code="required",
            )
        currency = owned[0]
    if not currency.is_hosted:
        raise DomainError(
            f"The members of {currency.code} are kept by its own programme, not here.",
            field="loyalty_currency",
            code="not_hosted",
        )
    return currency


def member_detail(*, loyalty_currency: LoyaltyCurrency, identifiers: dict) -> Member:
    """The member with its tier and balance (one query), or a 404 member_does_not_exist."""
    membership_id = services.membership_id_from(identifiers)
    member = (
        services.members_with_balance()
        .filter(loyalty_currency=loyalty_currency, membership_id=membership_id)
        .first()
    )
    if member is None:
        raise NotFound(
            f"No member {membership_id!r} in {loyalty_currency.code}.",
            field="loyalty_program_identifiers",
            code="member_does_not_exist",
        )
    return member


def profile_changes(data: dict[str, Any], loyalty_currency: LoyaltyCurrency) -> dict[str, Any]:
    """The validated request as model fields: the tier code becomes the currency's Tier."""
    changes = {name: value for name, value in data.items() if name not in _LOCATORS}
    if "tier" in changes:
        code = changes["tier"]
        changes["tier"] = (
            services.tier_resolve(loyalty_currency=loyalty_currency, code=code) if code else None
        )
    return changes


class MembersView(PartnerAPIView):
    """POST creates a member, PATCH updates one; both for the currency owner only."""

    @extend_schema(
        operation_id="Members_createRecord",
        tags=["Members"],
        summary="Create a member (Currency Owners only)",
        description=(
            "Creates a member of your loyalty currency, with its account. If a member with the "
            "same loyalty_program_identifiers id exists, it is returned unchanged with 200. A "
            "partner that owns several loyalty currencies names one in `loyalty_currency`."
        ),
        request=member_request_schema("MemberCreateRequest"),
        responses={
            200: OpenApiResponse(
                member_response_schema("MembersCreateRecordResponse"),
                description="A member matching the received loyalty program identifiers was "
                "found; it is returned unchanged.",
            ),
            201: OpenApiResponse(
                member_response_schema("MembersCreateRecordResponse"),
                description="The member has been created.",
            ),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        data = self.validated(MemberWriteRequest)
        currency = owned_currency(self.partner, data.get("loyalty_currency"))
        member, created = services.member_register(
            loyalty_currency=currency,
            loyalty_program_identifiers=data["loyalty_program_identifiers"],
            **profile_changes(data, currency),
        )
        return Response(
            member_data(services.members_with_balance().get(pk=member.pk), as_owner=True),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        operation_id="Members_updateMemberRecord",
        tags=["Members"],
        summary="Update a member (Currency Owners only)",
        description=(
            "Finds the member by its loyalty_program_identifiers id and changes only the fields "
            "sent; null clears an optional field. Changing `type` clears the fields of the "
            "other type."
        ),
        request=member_request_schema("MemberUpdateRequest"),
        responses={
            200: member_response_schema("MembersUpdateMemberRecordResponse"),
            **ERROR_RESPONSES,
        },
    )
    def patch(self, request):
        data = self.validated(MemberWriteRequest)
        currency = owned_currency(self.partner, data.get("loyalty_currency"))
        member = member_detail(
            loyalty_currency=currency, identifiers=data["loyalty_program_identifiers"]
        )
        member = services.member_update(member=member, **profile_changes(data, currency))
        return Response(
            member_data(services.members_with_balance().get(pk=member.pk), as_owner=True)
        )


class MemberLookupView(PartnerAPIView):
    """Any partner with a partnership in the currency may look a member up.

    The currency owner sees the whole member. Another partner sees its id, identifiers,
    currency, type and tier, and its balance only if the currency has
    balances_visible_to_partners; the member's personal data (name, gender, birth date, email,
    phone, address, bank accounts, company details, additional information) is null for it.
    """

    @extend_schema(
        operation_id="Members_validateMemberDetails",
        tags=["Members"],
        summary="Lookup a member",
        description=(
            "Validates that a member exists and returns it. The balance is null unless you own "
            "the currency or its owner made balances visible to partners; personal data is "
            "returned to the currency owner only."
        ),
        request=MemberLookupRequest,
        responses={
            200: member_response_schema("MembersValidateMemberDetailsResponse"),
            **ERROR_RESPONSES,
        },
    )
    def post(self, request):
        data = self.validated(MemberLookupRequest)
        currency = scope.currency_get(code=data["loyalty_currency"])
        scope.require_partnership(self.partner, currency)
        linked = data.get("linked_loyalty_currency")
        if linked is not None and linked != currency.code:
            raise DomainError(
                "Looking a member up through a linked loyalty currency is not supported.",
                field="linked_loyalty_currency",
                code="not_supported",
            )
        member = member_detail(
            loyalty_currency=currency, identifiers=data["loyalty_program_identifiers"]
        )
        return Response(member_data(member, as_owner=scope.is_owner(self.partner, currency)))
