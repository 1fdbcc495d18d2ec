"""Partner lists and partner custom data (contract operations 36-43).

The world: EXAMPLE_POINTS is owned by `owner`. Example Air issues it (`issuer`) and also issues
Sky Miles; Sky Miles Co (`airline`, owner of SKY_MILES) is the exchange partner of EXAMPLE_POINTS
-> SKY_MILES (`to_sky`) and SKY_MILES -> EXAMPLE_POINTS (`from_sky`); Corner Shop (`shop`)
accepts EXAMPLE_POINTS and has a disabled issuing partnership.
"""

from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest

from loyalty.models import (
    ExchangeDirection,
    ExchangePartnership,
    ExecutionMode,
    Partnership,
    PartnershipType,
    PartnerStatus,
)
from partners.models import PartnerCustomData
from tests.factories import LoyaltyCurrencyFactory, PartnerFactory
from tests.partners.api.conftest import signed_client_for

COMMON_KEYS = {"partner_id", "company_name", "logo", "loyalty_currency"}
ACTIVE_KEYS = {
    "exchange_in",
    "exchange_out",
    "redemption",
    "issuing",
    "currency_owner_for_issuance",
    "currency_owner_for_redemption",
}
CARD = {
    "id": "card_number",
    "name": "Loyalty card number",
    "translations": {"es": "Número de tarjeta", "de": "Kartennummer"},
}
SURNAME = {"id": "last_name", "name": "Last name"}


def no_flags(**true) -> dict:
    return {key: key in true for key in ACTIVE_KEYS}


@pytest.fixture
def world(currency, issuer):
    owner = currency.owner
    owner.company_name, owner.logo = "Example Points Ltd", "https://example.com/points.png"
    owner.save()
    airline = PartnerFactory(company_name="Sky Miles Co", api_identifier="sky-miles")
    sky_miles = LoyaltyCurrencyFactory(code="SKY_MILES", name="Sky Miles", owner=airline)
    shop = PartnerFactory(company_name="Corner Shop", api_identifier="corner-shop")
    Partnership.objects.filter(partner=issuer, loyalty_currency=currency).update(
        member_lookup_available=True,
        member_lookup_required_fields=[CARD],
        execute_required_fields=[CARD, SURNAME],
        batch_process=True,
        loyalty_rules_execution_mode=ExecutionMode.SINGLE_TRANSACTION,
    )
    Partnership.objects.create(
        partner=issuer, loyalty_currency=sky_miles, type=PartnershipType.ISSUING
    )
    to_sky = ExchangePartnership.objects.create(
        partner=airline,
        loyalty_currency=currency,
        partner_currency=sky_miles,
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=Decimal("1.25"),
        minimum_member_transaction_amount=10,
        maximum_member_transaction_amount=5000,
        execute_required_fields=[CARD, SURNAME],
    )
    from_sky = ExchangePartnership.objects.create(
        partner=airline,
        loyalty_currency=currency,
        partner_currency=sky_miles,
        direction=ExchangeDirection.EXCHANGE_IN,
        conversion_ratio_per_unit=Decimal("0.5"),
    )
    Partnership.objects.create(
        partner=shop,
        loyalty_currency=currency,
        type=PartnershipType.REDEMPTION,
        adjustment_allowed=True,
        execute_required_fields=[SURNAME],
    )
    Partnership.objects.create(
        partner=shop, loyalty_currency=currency, type=PartnershipType.ISSUING, enabled=False
    )
    return SimpleNamespace(
        currency=currency,
        sky_miles=sky_miles,
        owner=owner,
        issuer=issuer,
        airline=airline,
        shop=shop,
        to_sky=to_sky,
        from_sky=from_sky,
        owner_client=signed_client_for(owner),
        issuer_client=signed_client_for(issuer),
        airline_client=signed_client_for(airline),
        shop_client=signed_client_for(shop),
    )


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == len(body["results"])
    return body["results"]


def pairs(items: list[dict]) -> list[tuple[str, str]]:
    return [(item["partner_id"], item["loyalty_currency"]["id"]) for item in items]


# GET /partners ---------------------------------------------------------------------------------


def test_all_partners_of_a_currency_owner(world):
    items = results(world.owner_client.get("/partners"))
    assert all(set(item) == COMMON_KEYS | {"active_partnerships"} for item in items)
    assert [(item["company_name"], item["active_partnerships"]) for item in items] == [
        ("Corner Shop", no_flags(redemption=True)),
        ("Example Air", no_flags(issuing=True)),
        ("Sky Miles Co", no_flags(exchange_in=True, exchange_out=True)),
    ]
    airline = items[2]
    assert airline["partner_id"] == world.airline.public_id
    assert airline["logo"] == ""
    # An exchange partner is listed with its side of the exchange, as in the exchange lists.
    assert airline["loyalty_currency"] == {"id": "SKY_MILES", "name": "Sky Miles"}


def test_all_partners_of_an_issuing_partner_are_the_currency_owners(world):
    items = results(world.issuer_client.get("/partners"))
    assert items == [
        {
            "partner_id": world.owner.public_id,
            "company_name": "Example Points Ltd",
            "logo": "https://example.com/points.png",
            "loyalty_currency": {"id": "EXAMPLE_POINTS", "name": "Example Points"},
            "active_partnerships": no_flags(currency_owner_for_issuance=True),
        },
        {
            "partner_id": world.airline.public_id,
            "company_name": "Sky Miles Co",
            "logo": "",
            "loyalty_currency": {"id": "SKY_MILES", "name": "Sky Miles"},
            "active_partnerships": no_flags(currency_owner_for_issuance=True),
        },
    ]


def test_a_partner_that_owns_a_currency_and_partners_another_sees_both_sides(world):
    items = results(world.airline_client.get("/partners"))
    assert [
        ((item["partner_id"], item["loyalty_currency"]["id"]), item["active_partnerships"])
        for item in items
    ] == [
        ((world.issuer.public_id, "SKY_MILES"), no_flags(issuing=True)),
        (
            (world.owner.public_id, "EXAMPLE_POINTS"),
            no_flags(exchange_in=True, exchange_out=True),
        ),
    ]


def test_disabled_partnerships_and_suspended_partners_are_not_listed(world):
    assert "Corner Shop" in [
        i["company_name"] for i in results(world.owner_client.get("/partners"))
    ]
    Partnership.objects.filter(partner=world.shop).update(enabled=False)
    world.issuer.status = PartnerStatus.SUSPENDED
    world.issuer.save()
    assert [i["company_name"] for i in results(world.owner_client.get("/partners"))] == [
        "Sky Miles Co"
    ]
    assert results(world.shop_client.get("/partners")) == []


# The six partnership lists -------------------------------------------------------------------


def test_exchange_out_partners(world):
    items = results(world.owner_client.get("/partners/exchange-out"))
    assert pairs(items) == [(world.airline.public_id, "SKY_MILES")]
    assert set(items[0]) == COMMON_KEYS | {"partnership_details"}
    assert items[0]["company_name"] == "Sky Miles Co"
    assert items[0]["loyalty_currency"] == {"id": "SKY_MILES", "name": "Sky Miles"}
    assert items[0]["partnership_details"] == {
        "batch_process": False,
        "conversion_ratio_per_unit": "1.25",
        "exchange_enabled": True,
        "execute_action": {
            "required_fields": [
                {"id": "card_number", "name": "Loyalty card number"},
                {"id": "last_name", "name": "Last name"},
            ]
        },
        "maximum_member_transaction_amount": 5000,
        "member_lookup_action": {"member_lookup_available": False, "required_fields": []},
        "minimum_member_transaction_amount": 10,
    }


def test_exchange_in_partners(world):
    items = results(world.owner_client.get("/partners/exchange-in"))
    assert pairs(items) == [(world.airline.public_id, "SKY_MILES")]
    assert set(items[0]) == COMMON_KEYS | {"partnership_details"}
    assert items[0]["partnership_details"] == {"exchange_enabled": True}


def test_exchange_partners_seen_from_the_other_programme_are_swapped(world):
    """SKY_MILES -> EXAMPLE_POINTS is, for Sky Miles, an exchange out to the points."""
    out = results(world.airline_client.get("/partners/exchange-out"))
    assert pairs(out) == [(world.owner.public_id, "EXAMPLE_POINTS")]
    assert out[0]["company_name"] == "Example Points Ltd"
    details = out[0]["partnership_details"]
    assert details["conversion_ratio_per_unit"] == "0.5"
    assert details["execute_action"] == {"required_fields": []}
    assert (
        details["minimum_member_transaction_amount"],
        details["maximum_member_transaction_amount"],
    ) == (None, None)
    into = results(world.airline_client.get("/partners/exchange-in"))
    assert pairs(into) == [(world.owner.public_id, "EXAMPLE_POINTS")]
    assert into[0]["partnership_details"] == {"exchange_enabled": True}


def test_the_listed_terms_are_those_exchanges_use(world):
    """What exchange-out lists is what /exchanges/simulate applies: the ratio and the bounds."""
    terms = results(world.owner_client.get("/partners/exchange-out"))[0]["partnership_details"]
    ratio = Decimal(terms["conversion_ratio_per_unit"])
    low = terms["minimum_member_transaction_amount"]
    high = terms["maximum_member_transaction_amount"]

    def simulate(amount: int):
        return world.owner_client.post(
            "/exchanges/simulate",
            {
                "amount": amount,
                "origin_loyalty_currency": "EXAMPLE_POINTS",
                "destination_loyalty_currency": "SKY_MILES",
            },
        )

    assert simulate(low).json() == {"SKY_MILES": int(low * ratio)}
    assert simulate(high).json() == {"SKY_MILES": int(high * ratio)}
    assert simulate(low - 1).status_code == 400
    assert simulate(high + 1).status_code == 400

    world.to_sky.conversion_ratio_per_unit = Decimal("3")
    world.to_sky.save()
    terms = results(world.owner_client.get("/partners/exchange-out"))[0]["partnership_details"]
    assert terms["conversion_ratio_per_unit"] == "3"
    assert simulate(100).json() == {"SKY_MILES": 300}


def test_disabled_exchange_partnerships_are_not_listed(world):
    ExchangePartnership.objects.filter(pk=world.to_sky.pk).update(enabled=False)
    assert results(world.owner_client.get("/partners/exchange-out")) == []
    assert results(world.airline_client.get("/partners/exchange-in")) == []
    assert pairs(results(world.owner_client.get("/partners/exchange-in"))) == [
        (world.airline.public_id, "SKY_MILES")
    ]
    items = results(world.owner_client.get("/partners", {"partner_id": world.airline.public_id}))
    assert [item["active_partnerships"] for item in items] == [no_flags(exchange_in=True)]

    ExchangePartnership.objects.filter(pk=world.from_sky.pk).update(enabled=False)
    assert (
        results(world.owner_client.get("/partners", {"partner_id": world.airline.public_id})) == []
    )


def test_an_exchange_with_a_suspended_currency_owner_is_not_listed(world):
    world.airline.status = PartnerStatus.SUSPENDED
    world.airline.save()
    assert results(world.owner_client.get("/partners/exchange-out")) == []
    assert results(world.owner_client.get("/partners/exchange-in")) == []


@pytest.fixture
def brokered(world):
    """Corner Shop brokers EXAMPLE_POINTS -> GEMS, a currency of Gem Club: it owns neither."""
    gem_club = PartnerFactory(company_name="Gem Club", api_identifier="gem-club")
    gems = LoyaltyCurrencyFactory(code="GEMS", name="Gems", owner=gem_club)
    ExchangePartnership.objects.create(
        partner=world.shop,
        loyalty_currency=world.currency,
        partner_currency=gems,
        direction=ExchangeDirection.EXCHANGE_OUT,
        conversion_ratio_per_unit=Decimal("10"),
    )
    return SimpleNamespace(gem_club=gem_club, client=signed_client_for(gem_club))


def test_an_exchange_is_listed_to_its_partner_and_the_owners_of_both_currencies(world, brokered):
    owner_out = results(world.owner_client.get("/partners/exchange-out"))
    assert pairs(owner_out) == [
        (brokered.gem_club.public_id, "GEMS"),
        (world.airline.public_id, "SKY_MILES"),
    ]
    assert owner_out[0]["partnership_details"]["conversion_ratio_per_unit"] == "10"
    # The destination's owner finds the points coming in; the broker sees the owner's view.
    assert pairs(results(brokered.client.get("/partners/exchange-in"))) == [
        (world.owner.public_id, "EXAMPLE_POINTS")
    ]
    assert results(brokered.client.get("/partners/exchange-out")) == []
    assert pairs(results(world.shop_client.get("/partners/exchange-out"))) == [
        (brokered.gem_club.public_id, "GEMS")
    ]
    assert results(world.shop_client.get("/partners/exchange-in")) == []
    # Example Air issues the points but takes no part in the exchange.
    assert results(world.issuer_client.get("/partners/exchange-out")) == []


def test_exchange_lists_filter_by_the_listed_partner_and_currency(world, brokered):
    def listed(params):
        return pairs(results(world.owner_client.get("/partners/exchange-out", params)))

    assert listed({"loyalty_currency": "SKY_MILES"}) == [(world.airline.public_id, "SKY_MILES")]
    assert listed({"partner_id": brokered.gem_club.public_id}) == [
        (brokered.gem_club.public_id, "GEMS")
    ]
    assert listed({"loyalty_currency": "EXAMPLE_POINTS"}) == []
    assert listed({"partner_id": world.shop.public_id}) == []


def test_custom_data_of_an_exchange_partner(world, airports):
    """Sky Miles Co and the points' owner are related by their exchanges alone."""
    response = world.airline_client.get(data_path(world.owner, "airports"))
    assert response.status_code == 200, response.content
    ExchangePartnership.objects.update(enabled=False)
    assert world.airline_client.get(data_path(world.owner, "airports")).status_code == 404


def test_issuing_partners(world):
    items = results(world.owner_client.get("/partners/issuing"))
    assert pairs(items) == [(world.issuer.public_id, "EXAMPLE_POINTS")]
    assert set(items[0]) == COMMON_KEYS | {"partnership_details"}
    assert items[0]["partnership_details"] == {}


def test_redemption_partners(world):
    items = results(world.owner_client.get("/partners/redemption"))
    assert pairs(items) == [(world.shop.public_id, "EXAMPLE_POINTS")]
    assert items[0]["partnership_details"] == {"adjustment_allowed": True}


def test_currency_owners_for_redemption(world):
    items = results(world.shop_client.get("/partners/currency-owners-for-redemption"))
    assert pairs(items) == [(world.owner.public_id, "EXAMPLE_POINTS")]
    assert items[0]["company_name"] == "Example Points Ltd"
    assert items[0]["partnership_details"] == {
        "adjustment_allowed": True,
        "member_lookup_action": {"member_lookup_available": False, "required_fields": []},
        "execute_action": {"required_fields": [{"id": "last_name", "name": "Last name"}]},
    }


def test_currency_owners_for_issuance(world):
    items = results(world.issuer_client.get("/partners/currency-owners-for-issuance"))
    assert pairs(items) == [
        (world.owner.public_id, "EXAMPLE_POINTS"),
        (world.airline.public_id, "SKY_MILES"),
    ]
    assert items[0]["partnership_details"] == {
        "batch_process": True,
        "execute_action": {
            "required_fields": [
                {"id": "card_number", "name": "Loyalty card number"},
                {"id": "last_name", "name": "Last name"},
            ]
        },
        "loyalty_rules_execution_mode": "single_transaction",
        "member_lookup_action": {
            "member_lookup_available": True,
            "required_fields": [{"id": "card_number", "name": "Loyalty card number"}],
        },
    }
    assert items[1]["partnership_details"]["loyalty_rules_execution_mode"] == (
        "multiple_transactions"
    )


@pytest.mark.parametrize(
    ("who", "path", "expected"),
    [
        ("owner", "/partners/currency-owners-for-issuance", []),
        ("owner", "/partners/currency-owners-for-redemption", []),
        ("issuer", "/partners/issuing", []),
        ("issuer", "/partners/redemption", []),
        ("shop", "/partners/issuing", []),
        ("shop", "/partners/currency-owners-for-issuance", []),
        ("shop", "/partners/exchange-out", []),
        ("airline", "/partners/redemption", []),
        ("airline", "/partners/issuing", ["issuer"]),
    ],
)
def test_each_partner_sees_only_its_own_partnerships(world, who, path, expected):
    items = results(getattr(world, f"{who}_client").get(path))
    assert [item["partner_id"] for item in items] == [
        getattr(world, name).public_id for name in expected
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/partners",
        "/partners/exchange-in",
        "/partners/exchange-out",
        "/partners/issuing",
        "/partners/redemption",
        "/partners/currency-owners-for-redemption",
        "/partners/currency-owners-for-issuance",
    ],
)
def test_a_stranger_sees_empty_lists(world, stranger_client, path):
    assert results(stranger_client.get(path)) == []


# Filters -------------------------------------------------------------------------------------


def test_filter_by_partner_id(world):
    items = results(world.owner_client.get("/partners", {"partner_id": world.shop.public_id}))
    assert pairs(items) == [(world.shop.public_id, "EXAMPLE_POINTS")]
    items = results(
        world.issuer_client.get(
            "/partners/currency-owners-for-issuance", {"partner_id": world.airline.public_id}
        )
    )
    assert pairs(items) == [(world.airline.public_id, "SKY_MILES")]


def test_filter_by_loyalty_currency(world):
    items = results(world.issuer_client.get("/partners", {"loyalty_currency": "SKY_MILES"}))
    assert pairs(items) == [(world.airline.public_id, "SKY_MILES")]
    items = results(
        world.airline_client.get("/partners/issuing", {"loyalty_currency": "EXAMPLE_POINTS"})
    )
    assert items == []


def test_unknown_filter_values_list_nothing(world):
    assert results(world.owner_client.get("/partners", {"partner_id": "part_nope"})) == []
    assert results(world.owner_client.get("/partners", {"loyalty_currency": "NOPE"})) == []
    assert results(world.shop_client.get("/partners", {"partner_id": world.issuer.public_id})) == []


@pytest.mark.parametrize(
    "path", ["/partners", "/partners/exchange-out", "/partners/currency-owners-for-issuance"]
)
def test_partner_id_and_loyalty_currency_together_are_refused(world, path):
    response = world.issuer_client.get(
        path, {"partner_id": world.owner.public_id, "loyalty_currency": "EXAMPLE_POINTS"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": "Send either partner_id or loyalty_currency, not both.",
                "field": None,
                "code": "invalid",
            }
        ]
    }


def test_an_empty_filter_counts_as_absent(world):
    items = results(
        world.issuer_client.get("/partners", {"partner_id": "", "loyalty_currency": ""})
    )
    assert len(items) == 2


# language_display ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "card_label"),
    [
        ({"language_display": "es"}, "Número de tarjeta"),
        ({"language_display": "DE"}, "Kartennummer"),
        ({"language_display": "es-ES"}, "Número de tarjeta"),
        ({"language_display": "fr"}, "Loyalty card number"),
        ({}, "Loyalty card number"),
    ],
)
def test_required_fields_are_named_in_the_language_asked_for(world, language, card_label):
    items = results(world.issuer_client.get("/partners/currency-owners-for-issuance", language))
    details = items[0]["partnership_details"]
    assert details["execute_action"]["required_fields"] == [
        {"id": "card_number", "name": card_label},
        {"id": "last_name", "name": "Last name"},  # no translation: English
    ]
    assert details["member_lookup_action"]["required_fields"] == [
        {"id": "card_number", "name": card_label}
    ]


def test_language_display_on_exchange_out(world):
    items = results(world.owner_client.get("/partners/exchange-out", {"language_display": "es"}))
    execute = items[0]["partnership_details"]["execute_action"]["required_fields"]
    assert execute == [
        {"id": "card_number", "name": "Número de tarjeta"},
        {"id": "last_name", "name": "Last name"},
    ]


# Pagination and query counts -----------------------------------------------------------------


@pytest.fixture
def many_partners(currency):
    """25 partners with every kind of partnership in EXAMPLE_POINTS, owned by `currency.owner`,
    each owning a currency that exchanges with EXAMPLE_POINTS both ways."""
    partners = PartnerFactory.create_batch(25)
    Partnership.objects.bulk_create(
        Partnership(
            partner=partner,
            loyalty_currency=currency,
            type=kind,
            execute_required_fields=[CARD],
            member_lookup_required_fields=[CARD],
        )
        for partner in partners
        for kind in PartnershipType
    )
    owned = {partner.pk: LoyaltyCurrencyFactory(owner=partner) for partner in partners}
    ExchangePartnership.objects.bulk_create(
        ExchangePartnership(
            partner=partner,
            loyalty_currency=currency,
            partner_currency=owned[partner.pk],
            direction=direction,
            conversion_ratio_per_unit=Decimal("2"),
            execute_required_fields=[CARD],
        )
        for partner in partners
        for direction in ExchangeDirection
    )
    return partners


def test_pages_walk_with_next_and_previous(currency, many_partners, owner_client):
    first = owner_client.get("/partners/issuing", {"page_size": 10}).json()
    assert first["count"] == 25
    assert first["previous"] is None
    assert parse_qs(first["next"].lstrip("?")) == {"page_size": ["10"], "page": ["2"]}
    last = owner_client.get("/partners/issuing", {"page_size": 10, "page": 3}).json()
    assert len(last["results"]) == 5
    assert last["next"] is None
    assert parse_qs(last["previous"].lstrip("?")) == {"page_size": ["10"], "page": ["2"]}
    # All partners: each partner twice, in EXAMPLE_POINTS and in its own exchanging currency.
    pages = [
        owner_client.get("/partners", {"page_size": 10, "page": n}).json() for n in range(1, 6)
    ]
    assert [page["count"] for page in pages] == [50] * 5
    assert pages[4]["next"] is None
    seen = [item["partner_id"] for page in pages for item in page["results"]]
    assert sorted(seen) == sorted(partner.public_id for partner in many_partners * 2)
    assert owner_client.get("/partners", {"page_size": 10, "page": 6}).status_code == 404


@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 501}, {"page": "x"}])
def test_bad_pagination_is_400(world, params):
    assert world.owner_client.get("/partners", params).status_code == 400


# A signed request costs one query (the credential); a partnership list two more (count, page),
# the all-partners list four (its two sources, and the page's partners and currencies in bulk).
QUERIES = {"/partners": 5}
OWNER_LIST_LENGTHS = {"/partners": 50}
LIST_QUERIES = 3


@pytest.mark.parametrize(
    "path",
    [
        "/partners",
        "/partners/exchange-in",
        "/partners/exchange-out",
        "/partners/issuing",
        "/partners/redemption",
    ],
)
def test_owner_lists_cost_a_bounded_number_of_queries(
    currency, many_partners, owner_client, django_assert_max_num_queries, path
):
    owner_client.get(path)  # records the credential's first use
    with django_assert_max_num_queries(QUERIES.get(path, LIST_QUERIES)):
        items = results(owner_client.get(path, {"page_size": 100}))
    assert len(items) == OWNER_LIST_LENGTHS.get(path, 25)


@pytest.mark.parametrize(
    "path",
    [
        "/partners",
        "/partners/currency-owners-for-issuance",
        "/partners/currency-owners-for-redemption",
    ],
)
def test_partner_side_lists_cost_a_bounded_number_of_queries(
    db, django_assert_max_num_queries, path
):
    partner = PartnerFactory()
    for currency in LoyaltyCurrencyFactory.create_batch(22):
        for kind in (PartnershipType.ISSUING, PartnershipType.REDEMPTION):
            Partnership.objects.create(partner=partner, loyalty_currency=currency, type=kind)
    client = signed_client_for(partner)
    client.get(path)
    with django_assert_max_num_queries(QUERIES.get(path, LIST_QUERIES)):
        items = results(client.get(path, {"page_size": 100}))
    assert len(items) == 22


# Custom data -----------------------------------------------------------------------------------


@pytest.fixture
def airports(world):
    return PartnerCustomData.objects.create(
        partner=world.owner,
        field_name="airports",
        values=[{"code": "LHR", "name": "London Heathrow"}, {"code": "MAD", "name": "Madrid"}],
    )


def data_path(partner, field_name: str) -> str:
    return f"/partners/{partner.api_identifier}/data/{field_name}"


def test_custom_data_of_a_related_partner(world, airports):
    for client in (world.issuer_client, world.shop_client, world.owner_client):
        response = client.get(data_path(world.owner, "airports"))
        assert response.status_code == 200, response.content
        assert response.json() == {
            "field": "airports",
            "values": [
                {"code": "LHR", "name": "London Heathrow"},
                {"code": "MAD", "name": "Madrid"},
            ],
        }


def test_custom_data_is_readable_by_the_owner_of_the_currency_from_its_partner(world):
    PartnerCustomData.objects.create(partner=world.shop, field_name="stores", values=[{"id": 1}])
    response = world.owner_client.get(data_path(world.shop, "stores"))
    assert response.json() == {"field": "stores", "values": [{"id": 1}]}


def test_unknown_custom_data_field_is_404(world, airports):
    response = world.issuer_client.get(data_path(world.owner, "lounges"))
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "field_name"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_unknown_partner_is_404(world):
    response = world.issuer_client.get("/partners/nobody/data/airports")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "api_identifier"


def test_custom_data_without_a_relationship_is_404_as_for_an_unknown_partner(
    world, airports, stranger_client
):
    """Corner Shop has no partnership with Example Air: neither knows the other's data."""
    PartnerCustomData.objects.create(partner=world.issuer, field_name="codes", values=[])
    for response in (
        stranger_client.get(data_path(world.owner, "airports")),
        world.shop_client.get(data_path(world.issuer, "codes")),
    ):
        assert response.status_code == 404
        assert response.json()["errors"][0]["field"] == "api_identifier"


def test_custom_data_behind_a_disabled_partnership_is_404(world, airports):
    Partnership.objects.filter(partner=world.shop).update(enabled=False)
    response = world.shop_client.get(data_path(world.owner, "airports"))
    assert response.status_code == 404
