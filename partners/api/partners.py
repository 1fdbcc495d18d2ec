"""Partner lists and partner custom data (contract operations 36-43).

Who sees whom. A Partnership row (partner P, loyalty currency C, type T) is an agreement between
P and C's owner O, recorded from O's side: T says what P is to O ("issuing": P gives C to C's
members). Both parties see it, each listing the other:

- O finds P in the list named T (GET /partners/issuing lists the partners issuing O's currency);
- P finds O in the mirror list (`MIRROR`): issuing <-> currency owners for issuance, redemption
  <-> currency owners for redemption, exchange in <-> exchange out (O's members exchanging C out
  to P's programme come *in* to P, and P's members exchanging in to C go *out* of P's programme).

An item of every list is one (other partner, loyalty currency) pair: `loyalty_currency` is the
currency the agreement is in, the caller's own when the item is one of its partners, the item
partner's when the item is a currency owner. Only enabled partnerships between two active
partners count; an owner's partnership in its own currency relates nobody and is never listed.
The `partner_id` filter takes the listed partner's public id (part_...), `loyalty_currency` the
currency's code; an unknown value lists nothing rather than revealing what exists.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, F, Q, QuerySet, When
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from loyalty.errors import NotFound
from loyalty.models import LoyaltyCurrency, Partner, PartnerStatus
from partners.api import partner_serializers as shapes
from partners.api.errors import ERROR_RESPONSES
from partners.api.views import PartnerAPIView
from partners.models import PartnerCustomData, Partnership, PartnershipType

TAGS = ["Partners"]
MIRROR = {
    PartnershipType.ISSUING: PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE,
    PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE: PartnershipType.ISSUING,
    PartnershipType.REDEMPTION: PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION,
    PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION: PartnershipType.REDEMPTION,
    PartnershipType.EXCHANGE_IN: PartnershipType.EXCHANGE_OUT,
    PartnershipType.EXCHANGE_OUT: PartnershipType.EXCHANGE_IN,
}
LIST_ORDER = ("other_name", "other_id", "loyalty_currency__code")


@dataclass(frozen=True)
class PartnerListEntry:
    """One list item: the other partner, the currency, and the agreement or the flags."""

    partner: Partner
    loyalty_currency: LoyaltyCurrency
    partnership: Partnership | None = None
    active_partnerships: dict[str, bool] | None = None


def relationships(partner: Partner) -> QuerySet[Partnership]:
    """The enabled partnerships between `partner` and another active partner, either side.

    Each row is annotated with the other party (`other_id`, `other_name`): the row's partner
    when `partner` owns the currency, else the currency's owner.
    """
    as_owner = Q(loyalty_currency__owner=partner) & ~Q(partner=partner)
    as_partner = Q(partner=partner) & ~Q(loyalty_currency__owner=partner)
    active = PartnerStatus.ACTIVE
    return (
        Partnership.objects.filter(enabled=True)
        .filter(
            (as_owner & Q(partner__status=active))
            | (as_partner & Q(loyalty_currency__owner__status=active))
        )
        .annotate(
            other_id=Case(
                When(loyalty_currency__owner=partner, then=F("partner_id")),
                default=F("loyalty_currency__owner_id"),
            ),
            other_name=Case(
                When(loyalty_currency__owner=partner, then=F("partner__company_name")),
                default=F("loyalty_currency__owner__company_name"),
            ),
        )
    )


def seen_as(partner: Partner, kind: str) -> Q:
    """The rows `partner` finds in the list `kind`: its own currency's agreements of that type,
    and its agreements in others' currencies of the mirror type."""
    return Q(loyalty_currency__owner=partner, type=kind) | Q(partner=partner, type=MIRROR[kind])


def filtered(partner: Partner, rows: QuerySet[Partnership], query: dict) -> QuerySet[Partnership]:
    if "partner_id" in query:
        rows = rows.filter(
            Q(loyalty_currency__owner=partner, partner__public_id=query["partner_id"])
            | Q(partner=partner, loyalty_currency__owner__public_id=query["partner_id"])
        )
    if "loyalty_currency" in query:
        rows = rows.filter(loyalty_currency__code=query["loyalty_currency"])
    return rows


def partner_is_related(partner: Partner, other: Partner) -> bool:
    """A partner relates to itself and to every partner it shares an enabled partnership with."""
    return partner.pk == other.pk or relationships(partner).filter(other_id=other.pk).exists()


class PartnerListView(PartnerAPIView):
    """The query validation and the rows every partner list starts from."""

    filter_backends: list = []
    query_serializer = shapes.PartnerListQuery

    def query(self) -> dict:
        serializer = self.query_serializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def rows(self, query: dict) -> QuerySet[Partnership]:
        return filtered(self.partner, relationships(self.partner), query)


class AllPartnersView(PartnerListView):
    """GET /partners: one item per (partner, loyalty currency) pair the caller is related by.

    An item is either a partner holding an enabled partnership in a currency the caller owns
    (`loyalty_currency` is then the caller's currency) or the owner of a currency the caller
    holds an enabled partnership in (`loyalty_currency` is then that owner's currency). A partner
    related through two currencies is two items, one per currency. `active_partnerships` tells,
    from the caller's side, which of the six lists the same pair appears in (several flags when
    the two have several kinds of partnership in that currency).

    The pairs are grouped and counted in the database, so a page costs four queries: count,
    page, and the page's partners and currencies in bulk.
    """

    @extend_schema(
        operation_id="Partners_listAllPartners",
        tags=TAGS,
        summary="List all partners",
        parameters=[shapes.PartnerListQuery],
        responses={200: shapes.PartnerListItem(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        flags = {
            kind.value: Count("pk", filter=seen_as(self.partner, kind)) for kind in PartnershipType
        }
        pairs = (
            self.rows(self.query())
            .values("other_id", "other_name", "loyalty_currency_id", "loyalty_currency__code")
            .annotate(**flags)
            .order_by(*LIST_ORDER)
        )
        page = self.paginate_queryset(pairs)
        partners = Partner.objects.in_bulk({pair["other_id"] for pair in page})
        currencies = LoyaltyCurrency.objects.in_bulk({pair["loyalty_currency_id"] for pair in page})
        entries = [
            PartnerListEntry(
                partner=partners[pair["other_id"]],
                loyalty_currency=currencies[pair["loyalty_currency_id"]],
                active_partnerships={kind.value: pair[kind.value] > 0 for kind in PartnershipType},
            )
            for pair in page
        ]
        return self.get_paginated_response(shapes.PartnerListItem(entries, many=True).data)


class PartnershipListView(PartnerListView):
    """One list of partnerships: one item per agreement of the view's `kind` the caller sees,
    that is one per other partner and currency. Two queries a page (count and page)."""

    kind: PartnershipType

    def get(self, request):
        query = self.query()
        rows = (
            self.rows(query)
            .filter(seen_as(self.partner, self.kind))
            .select_related("partner", "loyalty_currency__owner")
            .order_by(*LIST_ORDER)
        )
        page = self.paginate_queryset(rows)
        entries = [
            PartnerListEntry(
                partner=row.loyalty_currency.owner
                if row.partner_id == self.partner.pk
                else row.partner,
                loyalty_currency=row.loyalty_currency,
                partnership=row,
            )
            for row in page
        ]
        context = {"language": query.get("language_display", "")}
        data = self.serializer_class(entries, many=True, context=context).data
        return self.get_paginated_response(data)


def _list_schema(operation_id: str, summary: str, item, *, language: bool = False):
    query = shapes.PartnerDetailsListQuery if language else shapes.PartnerListQuery
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            tags=TAGS,
            summary=summary,
            parameters=[query],
            responses={200: item(many=True), **ERROR_RESPONSES},
        )
    )


@_list_schema(
    "Partners_listExchangeInPartners",
    "List exchange in partners",
    shapes.ExchangeInPartnerListItem,
)
class ExchangeInPartnersView(PartnershipListView):
    kind = PartnershipType.EXCHANGE_IN
    serializer_class = shapes.ExchangeInPartnerListItem


@_list_schema(
    "Partners_listExchangeOutPartners",
    "List exchange out partners",
    shapes.ExchangeOutPartnerListItem,
    language=True,
)
class ExchangeOutPartnersView(PartnershipListView):
    kind = PartnershipType.EXCHANGE_OUT
    serializer_class = shapes.ExchangeOutPartnerListItem
    query_serializer = shapes.PartnerDetailsListQuery


@_list_schema(
    "Partners_listIssuingPartners",
    "List issuing partners",
    shapes.IssuingPartnerListItem,
)
class IssuingPartnersView(PartnershipListView):
    kind = PartnershipType.ISSUING
    serializer_class = shapes.IssuingPartnerListItem


@_list_schema(
    "Partners_getRedemptionPartners",
    "List redemption partners",
    shapes.RedemptionPartnerListItem,
)
class RedemptionPartnersView(PartnershipListView):
    kind = PartnershipType.REDEMPTION
    serializer_class = shapes.RedemptionPartnerListItem


@_list_schema(
    "Partners_listRedemptionCurrencyOwners",
    "List currency owners for redemption partners",
    shapes.RedemptionCurrencyPartnerListItem,
    language=True,
)
class RedemptionCurrencyOwnersView(PartnershipListView):
    kind = PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION
    serializer_class = shapes.RedemptionCurrencyPartnerListItem
    query_serializer = shapes.PartnerDetailsListQuery


@_list_schema(
    "Partners_listCurrencyOwnersForIssuance",
    "List currency owners for issuing partners",
    shapes.IssuanceCurrencyPartnerListItem,
    language=True,
)
class IssuanceCurrencyOwnersView(PartnershipListView):
    kind = PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE
    serializer_class = shapes.IssuanceCurrencyPartnerListItem
    query_serializer = shapes.PartnerDetailsListQuery


class PartnerCustomDataView(PartnerAPIView):
    """GET /partners/<api_identifier>/data/<field_name>: a data list the partner publishes.

    Readable by the partner itself and by partners related to it; to anyone else the partner
    does not exist (404, as for an unknown one).
    """

    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="Partners_getPartnerCustomData",
        tags=TAGS,
        summary="List Partner Custom Data",
        responses={200: shapes.PartnerDataListResponse, **ERROR_RESPONSES},
    )
    def get(self, request, api_identifier: str, field_name: str):
        other = Partner.objects.filter(
            api_identifier=api_identifier, status=PartnerStatus.ACTIVE
        ).first()
        if other is None or not partner_is_related(self.partner, other):
            raise NotFound(f"No partner {api_identifier!r}.", field="api_identifier")
        data = PartnerCustomData.objects.filter(partner=other, field_name=field_name).first()
        if data is None:
            raise NotFound(
                f"{other.company_name} publishes no data field {field_name!r}.",
                field="field_name",
            )
        return Response(shapes.PartnerDataListResponse(data).data)
