"""Partner lists and partner custom data (contract operations 36-43).

Who sees whom. A Partnership row (partner P, loyalty currency C, type T) is an agreement between
P and C's owner O, recorded from O's side: T says what P is to O ("issuing": P gives C to C's
members). Both parties see it, each listing the other:

- O finds P in the list named T (GET /partners/issuing lists the partners issuing O's currency);
- P finds O in the mirror list (loyalty.selectors.MIRROR): issuing <-> currency owners for
  issuance, redemption <-> currency owners for redemption.

The exchange lists read the exchange partnerships (loyalty.models.ExchangePartnership), the
rows exchanges are simulated and executed on, with the exchange services' scope (the exchange
partner and the owners of the two currencies; loyalty.selectors.exchange_relationships): the
owner of the origin currency finds the destination currency and its owner in exchange-out,
with the ratio, bounds and required fields an exchange uses; the owner of the destination
currency finds the origin currency and its owner in exchange-in.

An item of every list is one (other partner, loyalty currency) pair. In the issuing and
redemption lists `loyalty_currency` is the currency the agreement is in, the caller's own when
the item is one of its partners, the item partner's when the item is a currency owner; in the
exchange lists it is the other side's currency, owned by the item's partner. Only enabled
partnerships whose other party is active count; an owner's partnership in its own currency
relates nobody and is never listed. The `partner_id` filter takes the listed partner's public id
(part_...), `loyalty_currency` the currency's code; an unknown value lists nothing rather than
revealing what exists. The rows come from loyalty.selectors.relationships and
exchange_relationships.

Every list item has the partner's `partner_id`, `company_name`, `logo` and a `loyalty_currency`
{id, name}; the six partnership lists add `partnership_details`, whose shape depends on the list,
and the all-partners list adds `active_partnerships`. The serializers' class names are the
contract's schema names, so the generated schema's components read as the contract's.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from loyalty.errors import NotFound
from loyalty.models import (
    ExchangePartnership,
    ExecutionMode,
    LoyaltyCurrency,
    Partner,
    Partnership,
    PartnershipType,
)
from loyalty.selectors import (
    EXCHANGE_IN,
    EXCHANGE_OUT,
    exchange_relationships,
    related_partner_get,
    relationships,
    seen_as,
)
from partners.api.exceptions import ERROR_RESPONSES
from partners.api.views import PartnerAPIView
from partners.models import PartnerCustomData

TAGS = ["Partners"]
LIST_ORDER = ("other_name", "other_id", "loyalty_currency__code")


# Shapes --------------------------------------------------------------------------------------

REQUIRED_FIELDS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "HTML field id", "example": "card_number"},
            "name": {
                "type": "string",
                "description": "HTML field name to be displayed to the user",
                "example": "Loyalty Card number",
            },
        },
    },
}


def required_field_label(field: dict, language: str) -> str:
    """The field's name in `language` (ISO 639-1; "es" also serves "es-ES"), else English."""
    translations = field.get("translations") or {}
    for code in (language, language.split("-")[0]):
        if code and translations.get(code):
            return translations[code]
    return field.get("name", "")


@extend_schema_field(REQUIRED_FIELDS_SCHEMA)
class RequiredFieldsField(serializers.Field):
    """A partnership's stored required fields ({id, name, translations}) as the contract's
    [{id, name}], named in the language of the serializer context's `language` (may be "")."""

    def to_representation(self, value):
        language = self.context.get("language", "")
        return [
            {"id": field.get("id", ""), "name": required_field_label(field, language)}
            for field in value or []
        ]


class ConversionRatioField(serializers.DecimalField):
    """A decimal string without trailing zeros ("1.2", not "1.20000000"), as the contract shows."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=20, decimal_places=8, allow_null=True, **kwargs)

    def to_representation(self, value: Decimal | None) -> str | None:
        return None if value is None else format(value.normalize(), "f")


class PartnerListItemLoyaltyCurrency(serializers.Serializer):
    id = serializers.CharField(source="code", help_text="The loyalty currency's identifier.")
    name = serializers.CharField()


class PartnerListItemBase(serializers.Serializer):
    partner_id = serializers.CharField(source="partner.public_id")
    company_name = serializers.CharField(source="partner.company_name")
    logo = serializers.CharField(source="partner.logo", help_text="URI of the partner's logo.")
    loyalty_currency = PartnerListItemLoyaltyCurrency()


class ActivePartnerships(serializers.Serializer):
    """Which partnerships the caller has with the partner in the currency, from its own side."""

    exchange_in = serializers.BooleanField()
    exchange_out = serializers.BooleanField()
    redemption = serializers.BooleanField()
    issuing = serializers.BooleanField()
    currency_owner_for_issuance = serializers.BooleanField()
    currency_owner_for_redemption = serializers.BooleanField()


class PartnerListItem(PartnerListItemBase):
    active_partnerships = ActivePartnerships()


# partnership_details: each reads the entry's `partnership`, a Partnership row or, in the
# exchange lists, an ExchangePartnership.


class ExecuteAction(serializers.Serializer):
    required_fields = RequiredFieldsField(source="execute_required_fields")


class MemberLookupAction(serializers.Serializer):
    member_lookup_available = serializers.BooleanField()
    required_fields = RequiredFieldsField(source="member_lookup_required_fields")


class ExchangeMemberLookupAction(serializers.Serializer):
    """An exchange offers no member lookup of the other programme: its execution checks the
    destination member (and sends a programme the identifiers it requires)."""

    member_lookup_available = serializers.SerializerMethodField()
    required_fields = serializers.SerializerMethodField()

    def get_member_lookup_available(self, partnership) -> bool:
        return False

    @extend_schema_field(REQUIRED_FIELDS_SCHEMA)
    def get_required_fields(self, partnership) -> list:
        return []


class ExchangeInPartnershipDetails(serializers.Serializer):
    exchange_enabled = serializers.BooleanField(source="enabled")


class ExchangeOutPartnershipDetails(serializers.Serializer):
    """An ExchangePartnership's terms as exchanges apply them (loyalty.services.exchanges):
    destination units per origin unit, the origin amount's bounds, the destination's required
    identifiers. Exchanges run one at a time, never in batches."""

    batch_process = serializers.SerializerMethodField()
    conversion_ratio_per_unit = ConversionRatioField()
    exchange_enabled = serializers.BooleanField(source="enabled")
    execute_action = ExecuteAction(source="*")
    maximum_member_transaction_amount = serializers.IntegerField(allow_null=True)
    member_lookup_action = ExchangeMemberLookupAction(source="*")
    minimum_member_transaction_amount = serializers.IntegerField(allow_null=True)

    def get_batch_process(self, partnership) -> bool:
        return False


@extend_schema_field({"type": "object", "properties": {}})
class IssuingPartnershipDetails(serializers.Field):
    """Always {}: the contract gives it no properties (an issuing partner's terms are what its
    own list, currency owners for issuance, shows)."""

    def to_representation(self, value) -> dict:
        return {}


class RedemptionPartnershipDetails(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()


class RedemptionCurrencyPartnershipDetails(serializers.Serializer):
    adjustment_allowed = serializers.BooleanField()
    member_lookup_action = MemberLookupAction(source="*")
    execute_action = ExecuteAction(source="*")


class IssuanceCurrencyPartnershipDetails(serializers.Serializer):
    batch_process = serializers.BooleanField(default=False)
    execute_action = ExecuteAction(source="*")
    loyalty_rules_execution_mode = serializers.ChoiceField(choices=ExecutionMode.choices)
    member_lookup_action = MemberLookupAction(source="*")


class ExchangeInPartnerListItem(PartnerListItemBase):
    partnership_details = ExchangeInPartnershipDetails(source="partnership")


class ExchangeOutPartnerListItem(PartnerListItemBase):
    partnership_details = ExchangeOutPartnershipDetails(source="partnership")


class IssuingPartnerListItem(PartnerListItemBase):
    partnership_details = IssuingPartnershipDetails(source="partnership")


class RedemptionPartnerListItem(PartnerListItemBase):
    partnership_details = RedemptionPartnershipDetails(source="partnership")


class RedemptionCurrencyPartnerListItem(PartnerListItemBase):
    partnership_details = RedemptionCurrencyPartnershipDetails(source="partnership")


class IssuanceCurrencyPartnerListItem(PartnerListItemBase):
    partnership_details = IssuanceCurrencyPartnershipDetails(source="partnership")


class PartnerDataListResponse(serializers.Serializer):
    field = serializers.CharField(source="field_name", help_text="The data field's name.")
    values = serializers.ListField(child=serializers.DictField())


# Query parameters.


class PartnerListQuery(serializers.Serializer):
    """The lists' filters: one partner or one loyalty currency, never both."""

    partner_id = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only this partner (part_...).",
    )
    loyalty_currency = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Only partnerships in this loyalty currency, e.g. EXAMPLE_POINTS.",
    )

    def validate(self, attrs: dict) -> dict:
        attrs = {name: value.strip() for name, value in attrs.items() if value.strip()}
        if len(attrs) > 1:
            raise serializers.ValidationError(
                "Send either partner_id or loyalty_currency, not both.", code="invalid"
            )
        return attrs


class PartnerDetailsListQuery(PartnerListQuery):
    """The filters, and the language of the required fields' names."""

    language_display = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=(
            "ISO 639-1 code of the language to show the required_fields' names in; English "
            "when there is no translation."
        ),
    )

    def validate(self, attrs: dict) -> dict:
        language = attrs.pop("language_display", "").strip().lower()
        attrs = super().validate(attrs)
        return {**attrs, "language_display": language}


# Views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerListEntry:
    """One list item: the other partner, the currency, and the agreement or the flags."""

    partner: Partner
    loyalty_currency: LoyaltyCurrency
    partnership: Partnership | ExchangePartnership | None = None
    active_partnerships: dict[str, bool] | None = None


class PartnerListView(PartnerAPIView):
    """The query validation and the rows every partner list starts from."""

    filter_backends: list = []
    query_serializer = PartnerListQuery

    def query(self) -> dict:
        serializer = self.query_serializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def rows(self, query: dict) -> QuerySet[Partnership]:
        return relationships(
            self.partner,
            partner_id=query.get("partner_id"),
            loyalty_currency=query.get("loyalty_currency"),
        )


class AllPartnersView(PartnerListView):
    """GET /partners: one item per (partner, loyalty currency) pair the caller is related by.

    An item is either a partner holding an enabled partnership in a currency the caller owns
    (`loyalty_currency` is then the caller's currency), the owner of a currency the caller
    holds an enabled partnership in (`loyalty_currency` is then that owner's currency), or the
    other side of an exchange partnership the caller takes part in (`loyalty_currency` is then
    the other side's currency, as in the exchange lists). A partner related through two
    currencies is two items, one per currency. `active_partnerships` tells, from the caller's
    side, which of the six lists the same pair appears in (several flags when the two have
    several kinds of partnership in that currency).

    The pairs of each source are grouped and counted in the database (a query each), merged and
    ordered here (a partner is related by a handful of pairs, not thousands), so a page costs
    four queries: the two sources, and the page's partners and currencies in bulk.
    """

    @extend_schema(
        operation_id="Partners_listAllPartners",
        tags=TAGS,
        summary="List all partners",
        parameters=[PartnerListQuery],
        responses={200: PartnerListItem(many=True), **ERROR_RESPONSES},
    )
    def get(self, request):
        query = self.query()
        flags = {
            kind.value: Count("pk", filter=seen_as(self.partner, kind)) for kind in PartnershipType
        }
        found: dict[tuple[int, int], dict] = {}
        for pair in (
            self.rows(query)
            .values("other_id", "other_name", "loyalty_currency_id", "loyalty_currency__code")
            .annotate(**flags)
        ):
            found[pair["other_id"], pair["loyalty_currency_id"]] = pair
        exchanges = (
            exchange_relationships(
                self.partner,
                partner_id=query.get("partner_id"),
                loyalty_currency=query.get("loyalty_currency"),
            )
            .values("other_id", "other_name", "item_currency_id", "item_currency_code")
            .annotate(
                **{kind: Count("pk", filter=Q(kind=kind)) for kind in (EXCHANGE_IN, EXCHANGE_OUT)}
            )
        )
        for row in exchanges:
            pair = found.setdefault(
                (row["other_id"], row["item_currency_id"]),
                {
                    "other_id": row["other_id"],
                    "other_name": row["other_name"],
                    "loyalty_currency_id": row["item_currency_id"],
                    "loyalty_currency__code": row["item_currency_code"],
                },
            )
            pair.update({kind: row[kind] for kind in (EXCHANGE_IN, EXCHANGE_OUT)})
        pairs = sorted(
            found.values(),
            key=lambda pair: (pair["other_name"], pair["other_id"], pair["loyalty_currency__code"]),
        )
        page = self.paginate_queryset(pairs)
        names = list(ActivePartnerships().fields)
        partners = Partner.objects.in_bulk({pair["other_id"] for pair in page})
        currencies = LoyaltyCurrency.objects.in_bulk({pair["loyalty_currency_id"] for pair in page})
        entries = [
            PartnerListEntry(
                partner=partners[pair["other_id"]],
                loyalty_currency=currencies[pair["loyalty_currency_id"]],
                active_partnerships={name: pair.get(name, 0) > 0 for name in names},
            )
            for pair in page
        ]
        return self.get_paginated_response(PartnerListItem(entries, many=True).data)


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
        return self.respond(query, entries)

    def respond(self, query: dict, entries: list[PartnerListEntry]):
        context = {"language": query.get("language_display", "")}
        data = self.serializer_class(entries, many=True, context=context).data
        return self.get_paginated_response(data)


class ExchangeListView(PartnershipListView):
    """One exchange list: one item per enabled exchange partnership the caller sees in it
    (loyalty.selectors.exchange_relationships), the other side's currency and its owner with
    the partnership's terms. Two queries a page (count and page)."""

    kind: str

    def get(self, request):
        query = self.query()
        rows = (
            exchange_relationships(
                self.partner,
                kind=self.kind,
                partner_id=query.get("partner_id"),
                loyalty_currency=query.get("loyalty_currency"),
            )
            .select_related("loyalty_currency__owner", "partner_currency__owner")
            .order_by("other_name", "other_id", "item_currency_code")
        )
        page = self.paginate_queryset(rows)
        entries = []
        for row in page:
            currency = row.partner_currency if row.item_on_partner_side else row.loyalty_currency
            entries.append(
                PartnerListEntry(partner=currency.owner, loyalty_currency=currency, partnership=row)
            )
        return self.respond(query, entries)


def _list_schema(operation_id: str, summary: str, item, *, language: bool = False):
    query = PartnerDetailsListQuery if language else PartnerListQuery
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
    ExchangeInPartnerListItem,
)
class ExchangeInPartnersView(ExchangeListView):
    kind = EXCHANGE_IN
    serializer_class = ExchangeInPartnerListItem


@_list_schema(
    "Partners_listExchangeOutPartners",
    "List exchange out partners",
    ExchangeOutPartnerListItem,
    language=True,
)
class ExchangeOutPartnersView(ExchangeListView):
    kind = EXCHANGE_OUT
    serializer_class = ExchangeOutPartnerListItem
    query_serializer = PartnerDetailsListQuery


@_list_schema(
    "Partners_listIssuingPartners",
    "List issuing partners",
    IssuingPartnerListItem,
)
class IssuingPartnersView(PartnershipListView):
    kind = PartnershipType.ISSUING
    serializer_class = IssuingPartnerListItem


@_list_schema(
    "Partners_getRedemptionPartners",
    "List redemption partners",
    RedemptionPartnerListItem,
)
class RedemptionPartnersView(PartnershipListView):
    kind = PartnershipType.REDEMPTION
    serializer_class = RedemptionPartnerListItem


@_list_schema(
    "Partners_listRedemptionCurrencyOwners",
    "List currency owners for redemption partners",
    RedemptionCurrencyPartnerListItem,
    language=True,
)
class RedemptionCurrencyOwnersView(PartnershipListView):
    kind = PartnershipType.CURRENCY_OWNER_FOR_REDEMPTION
    serializer_class = RedemptionCurrencyPartnerListItem
    query_serializer = PartnerDetailsListQuery


@_list_schema(
    "Partners_listCurrencyOwnersForIssuance",
    "List currency owners for issuing partners",
    IssuanceCurrencyPartnerListItem,
    language=True,
)
class IssuanceCurrencyOwnersView(PartnershipListView):
    kind = PartnershipType.CURRENCY_OWNER_FOR_ISSUANCE
    serializer_class = IssuanceCurrencyPartnerListItem
    query_serializer = PartnerDetailsListQuery


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
        responses={200: PartnerDataListResponse, **ERROR_RESPONSES},
    )
    def get(self, request, api_identifier: str, field_name: str):
        other = related_partner_get(partner=self.partner, api_identifier=api_identifier)
        if other is None:
            raise NotFound(f"No partner {api_identifier!r}.", field="api_identifier")
        data = PartnerCustomData.objects.filter(partner=other, field_name=field_name).first()
        if data is None:
            raise NotFound(
                f"{other.company_name} publishes no data field {field_name!r}.",
                field="field_name",
            )
        return Response(PartnerDataListResponse(data).data)
