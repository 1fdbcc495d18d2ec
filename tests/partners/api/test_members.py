"""Members (contract operations 13-15): create, update and lookup, with their scope rules."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from loyalty.models import Account, Member, Partnership, PartnershipType
from loyalty.selectors import members_with_balance
from loyalty.services.members import member_register
from partners.api.members import member_data
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, TierFactory
from tests.partners.api.conftest import signed_client_for

PROFILE = {
    "address_line1": "3532 Hidden Valley Road",
    "address_line2": "Williamsburg",
    "address_line3": "Brooklyn",
    "bank_accounts": [
        {"account_holder": "Barbara Drennen", "iban": "GB33BUKB20201555555555", "country": "GBR"}
    ],
    "birth_date": "2000-01-01",
    "city": "New York City",
    "country": "USA",
    "email": "foo@bar.com",
    "first_name": "Barbara",
    "gender": "female",
    "last_name": "Drennen",
    "phone_number": "+443031237300",
    "postal_code": "11219",
    "state": "New York",
    "tier": "gold",
    "type": "individual",
}
PERSONAL = (
    "additional_information",
    "address_line1",
    "address_line2",
    "address_line3",
    "bank_accounts",
    "birth_date",
    "city",
    "country",
    "email",
    "first_name",
    "gender",
    "last_name",
    "phone_number",
    "postal_code",
    "state",
)


@pytest.fixture
def gold(currency):
    return TierFactory(loyalty_currency=currency, code="gold", name="Gold", level=2)


def new_member(membership_id="M12334532", **changes):
    return {"loyalty_program_identifiers": {"id": membership_id}, **PROFILE, **changes}


def lookup(member, currency="EXAMPLE_POINTS", **extra):
    return {
        "loyalty_currency": currency,
        "loyalty_program_identifiers": member.loyalty_program_identifiers,
        **extra,
    }


def credit(issuer_client, issuer, member, amount):
    response = issuer_client.post(
        "/accruals/standard",
        {
            "amount": amount,
            "loyalty_currency": "EXAMPLE_POINTS",
            "member": member.loyalty_program_identifiers,
            "origin": issuer.public_id,
        },
    )
    assert response.status_code == 201, response.content


def counts():
    return Member.objects.count(), Account.objects.count()


# Create --------------------------------------------------------------------------------------


def test_create_returns_201_with_the_new_member(owner_client, currency, gold):
    response = owner_client.post("/members", new_member())
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.get(public_id=body["id"])
    assert body == {
        "additional_information": None,
        **PROFILE,
        "balance": 0,
        "id": member.public_id,
        "loyalty_currency": "EXAMPLE_POINTS",
        "loyalty_program_identifiers": {"id": "M12334532"},
        "tier": {"id": "gold", "level": 2, "name": "Gold"},
    }
    assert body["id"].startswith("mp_")
    assert (member.membership_id, member.tier, member.birth_date) == (
        "M12334532",
        gold,
        dt.date(2000, 1, 1),
    )
    assert Account.objects.get(member=member).balance == 0


def test_repeat_create_returns_the_existing_member_unchanged(owner_client, gold):
    first = owner_client.post("/members", new_member())
    again = owner_client.post("/members", new_member(first_name="Other", email="new@bar.com"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Member.objects.get().first_name == "Barbara"
    assert counts() == (1, 2)  # the mint and the member's one account


def test_create_with_only_identifiers(owner_client):
    response = owner_client.post("/members", {"loyalty_program_identifiers": {"id": 42}})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "individual"
    assert body["loyalty_program_identifiers"] == {"id": 42}
    assert body["tier"] is None
    assert body["bank_accounts"] == []
    assert all(body[name] is None for name in PERSONAL if name != "bank_accounts")


def test_create_company(owner_client):
    response = owner_client.post(
        "/members",
        {
            "loyalty_program_identifiers": {"id": "C100"},
            "type": "company",
            "company_name": "Acme Ltd",
            "company_registration_number": "01234567",
            "country": "GBR",
            "postal_code": 11219,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "company"
    assert (body["company_name"], body["company_registration_number"]) == ("Acme Ltd", "01234567")
    assert body["postal_code"] == "11219"
    assert not {"first_name", "last_name", "gender", "birth_date"} & set(body)
    assert Member.objects.get().display_name == "Acme Ltd"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "company", "first_name": "Barbara"},
        {"type": "company", "birth_date": "2000-01-01"},
        {"company_name": "Acme Ltd"},
    ],
)
def test_fields_of_the_other_type_are_refused(owner_client, body):
    response = owner_client.post("/members", {"loyalty_program_identifiers": {"id": "X1"}, **body})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] in body and error["code"] == "invalid"
    assert counts() == (0, 1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loyalty_program_identifiers": "M1"}, "loyalty_program_identifiers"),
        ({"loyalty_program_identifiers": ["M1"]}, "loyalty_program_identifiers"),
        ({"loyalty_program_identifiers": {"number": "M1"}}, "loyalty_program_identifiers"),
        ({"loyalty_program_identifiers": {"id": " "}}, "loyalty_program_identifiers"),
        ({"loyalty_program_identifiers": {"id": "M\u00001"}}, "loyalty_program_identifiers"),
        (
            {"loyalty_program_identifiers": {"id": "M1", "x": ["\u0000"]}},
            "loyalty_program_identifiers",
        ),
        ({"first_name": "Bar\u0000bara"}, "first_name"),
        ({"bank_accounts": [{"iban": "GB\u0000"}]}, "bank_accounts.0.iban"),
        ({"gender": "unknown"}, "gender"),
        ({"birth_date": "2000-13-01"}, "birth_date"),
        ({"birth_date": "01/01/2000"}, "birth_date"),
        ({"birth_date": "2000-1-1"}, "birth_date"),
        ({"birth_date": "2000-01-01T00:00:00Z"}, "birth_date"),
        ({"birth_date": 20000101}, "birth_date"),
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"tier": "platinum"}, "tier"),
        ({"tier": 1}, "tier"),
        ({"type": "robot"}, "type"),
        ({"email": "not-an-email"}, "email"),
        ({"country": "usa"}, "country"),
        ({"country": "US"}, "country"),
        ({"phone_number": "00443031237300"}, "phone_number"),
        ({"phone_number": "+44 303 123"}, "phone_number"),
        ({"phone_number": "+123456"}, "phone_number"),
        ({"first_name": 5}, "first_name"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"bank_accounts": {"iban": "GB33BUKB20201555555555"}}, "bank_accounts"),
        ({"bank_accounts": ["GB33BUKB20201555555555"]}, "bank_accounts.0"),
        ({"bank_accounts": [{"sort_code": "20-20-15"}]}, "bank_accounts.0"),
        ({"bank_accounts": [{"country": "GB"}]}, "bank_accounts.0.country"),
        ({"bank_accounts": [{"fiat_currency": "eur"}]}, "bank_accounts.0.fiat_currency"),
        ({"loyalty_currency": "NOPE"}, "loyalty_currency"),
    ],
)
def test_bad_create_is_refused_and_writes_nothing(owner_client, gold, change, field):
    response = owner_client.post("/members", {**new_member(), **change})
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert counts() == (0, 1)


@pytest.mark.parametrize(
    ("path", "required"),
    [
        ("/members", "loyalty_program_identifiers"),
        ("/members/lookup", "loyalty_program_identifiers"),
        ("/members/lookup", "loyalty_currency"),
    ],
)
def test_each_required_field(owner_client, member, path, required):
    body = {**lookup(member), **PROFILE, "tier": None}
    del body[required]
    response = owner_client.post(path, body)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"message": "This field is required.", "field": required, "code": "required"}
    ]
    assert counts() == (1, 2)


def test_update_requires_the_identifiers(owner_client, member):
    response = owner_client.patch("/members", {"first_name": "Ann"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "loyalty_program_identifiers"


@pytest.mark.parametrize("client_fixture", ["issuer_client", "stranger_client"])
def test_only_the_currency_owner_creates_or_updates(request, member, client_fixture):
    client = request.getfixturevalue(client_fixture)
    created = client.post("/members", new_member(tier=None))
    updated = client.patch(
        "/members", {"loyalty_program_identifiers": member.loyalty_program_identifiers}
    )
    named = client.post("/members", new_member(tier=None, loyalty_currency="EXAMPLE_POINTS"))
    assert (created.status_code, updated.status_code, named.status_code) == (403, 403, 403)
    assert created.json()["errors"][0]["code"] == "permission_denied"
    assert counts() == (1, 3 if client_fixture == "issuer_client" else 2)


def test_owner_of_several_currencies_names_one(owner_client, currency):
    second = LoyaltyCurrencyFactory(code="SECOND_POINTS", owner=currency.owner)
    unnamed = owner_client.post("/members", new_member(tier=None))
    assert unnamed.status_code == 400
    assert unnamed.json()["errors"][0]["field"] == "loyalty_currency"
    named = owner_client.post("/members", new_member(tier=None, loyalty_currency="SECOND_POINTS"))
    assert named.status_code == 201, named.content
    assert named.json()["loyalty_currency"] == "SECOND_POINTS"
    assert Member.objects.get().loyalty_currency == second


def test_members_of_an_external_currency_are_not_kept_here(db):
    external = LoyaltyCurrencyFactory(code="PARTNER_MILES", is_hosted=False)
    response = signed_client_for(external.owner).post("/members", new_member(tier=None))
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "not_hosted"
    assert Member.objects.count() == 0


def test_idempotent_repeat_of_a_create(owner_client, gold):
    first = owner_client.post("/members", new_member(), idempotency_key="member-1")
    again = owner_client.post("/members", new_member(), idempotency_key="member-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotency-Repeated"] == "true"
    assert "Idempotency-Repeated" not in first
    assert counts() == (1, 2)


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_member_create_it_once(currency, run_concurrently):
    """The request's insert waits on a concurrent registration's uncommitted row, fails on the
    unique constraint once that commits, and the request answers with the existing member."""
    owner_client = signed_client_for(currency.owner)
    inserted = threading.Event()

    def register():
        with transaction.atomic():
            registered = member_register(
                loyalty_currency=currency, loyalty_program_identifiers={"id": "M1"}
            )
            inserted.set()
            wait_for_a_lock_waiter()
        return registered

    def request():
        assert inserted.wait(20)
        return owner_client.post("/members", new_member("M1", tier=None))

    (member, created), response = run_concurrently([register, request])
    assert created is True
    assert response.status_code == 200, response.content
    assert response.json()["id"] == member.public_id
    assert counts() == (1, 2)


def wait_for_a_lock_waiter(timeout: float = 20) -> None:
    """Return once another session of this database waits on a lock (or fail after timeout)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction, pg_stat_activity is a snapshot unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the concurrent request never waited for the first one")


# Update --------------------------------------------------------------------------------------


def test_update_changes_only_the_fields_sent(owner_client, gold):
    created = owner_client.post("/members", new_member(tier=None)).json()
    response = owner_client.patch(
        "/members",
        {
            "loyalty_program_identifiers": {"id": "M12334532"},
            "email": "new@bar.com",
            "tier": "gold",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        **created,
        "email": "new@bar.com",
        "tier": {"id": "gold", "level": 2, "name": "Gold"},
    }
    member = Member.objects.get()
    assert (member.email, member.tier, member.first_name) == ("new@bar.com", gold, "Barbara")


def test_update_with_null_clears_optional_fields(owner_client, gold):
    owner_client.post("/members", new_member())
    response = owner_client.patch(
        "/members",
        {
            "loyalty_program_identifiers": {"id": "M12334532"},
            "phone_number": None,
            "tier": None,
            "birth_date": None,
            "bank_accounts": None,
            "gender": None,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["phone_number"], body["tier"], body["birth_date"], body["gender"]) == (None,) * 4
    assert body["bank_accounts"] == []
    member = Member.objects.get()
    assert (member.phone_number, member.tier, member.gender) == ("", None, "")


def test_update_to_company_clears_the_individual_fields(owner_client, member):
    response = owner_client.patch(
        "/members",
        {
            "loyalty_program_identifiers": member.loyalty_program_identifiers,
            "type": "company",
            "company_name": "Acme Ltd",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["company_name"] == "Acme Ltd"
    member.refresh_from_db()
    assert (member.type, member.first_name, member.last_name) == ("company", "", "")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gender": "unknown"}, "gender"),
        ({"birth_date": "2000-02-30"}, "birth_date"),
        ({"tier": "platinum"}, "tier"),
        ({"company_name": "Acme Ltd"}, "company_name"),
        ({"country": "Spain"}, "country"),
    ],
)
def test_bad_update_changes_nothing(owner_client, member, change, field):
    before = Member.objects.values().get()
    response = owner_client.patch(
        "/members",
        {"loyalty_program_identifiers": member.loyalty_program_identifiers, **change},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert Member.objects.values().get() == before


def test_update_of_an_unknown_member_is_404(owner_client, member):
    response = owner_client.patch(
        "/members", {"loyalty_program_identifiers": {"id": "NOPE"}, "first_name": "Ann"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {
                "message": "No member 'NOPE' in EXAMPLE_POINTS.",
                "field": "loyalty_program_identifiers",
                "code": "member_does_not_exist",
            }
        ]
    }


# Lookup --------------------------------------------------------------------------------------


def test_owner_lookup_shows_the_whole_member(owner_client, issuer_client, issuer, member):
    credit(issuer_client, issuer, member, 750)
    response = owner_client.post("/members/lookup", lookup(member))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["balance"] == 750
    assert body["id"] == member.public_id
    assert (body["first_name"], body["email"]) == (member.first_name, member.email)


def test_partner_lookup_hides_balance_and_personal_data(issuer_client, issuer, member, gold):
    Member.objects.filter(pk=member.pk).update(tier=gold, phone_number="+443031237300")
    credit(issuer_client, issuer, member, 750)
    response = issuer_client.post("/members/lookup", lookup(member))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        **dict.fromkeys(PERSONAL),
        "balance": None,
        "id": member.public_id,
        "loyalty_currency": "EXAMPLE_POINTS",
        "loyalty_program_identifiers": member.loyalty_program_identifiers,
        "tier": {"id": "gold", "level": 2, "name": "Gold"},
        "type": "individual",
    }


def test_partner_lookup_shows_balance_when_the_currency_allows(
    issuer_client, issuer, currency, member
):
    currency.balances_visible_to_partners = True
    currency.save(update_fields=["balances_visible_to_partners"])
    credit(issuer_client, issuer, member, 750)
    body = issuer_client.post("/members/lookup", lookup(member)).json()
    assert body["balance"] == 750
    assert body["email"] is None and body["last_name"] is None


def test_partner_lookup_of_a_company_hides_its_details(issuer_client, currency):
    company = MemberFactory(
        loyalty_currency=currency,
        type="company",
        first_name="",
        last_name="",
        email="office@acme.example",
        company_name="Acme",
    )
    body = issuer_client.post("/members/lookup", lookup(company)).json()
    assert body["type"] == "company"
    assert body["company_name"] is None and body["company_registration_number"] is None


def test_lookup_needs_a_partnership(stranger_client, currency, member):
    response = stranger_client.post("/members/lookup", lookup(member))
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"


def test_lookup_with_a_disabled_partnership_is_forbidden(issuer_client, issuer, member):
    Partnership.objects.filter(partner=issuer).update(enabled=False)
    assert issuer_client.post("/members/lookup", lookup(member)).status_code == 403


def test_lookup_by_a_redemption_partner(currency, member):
    partner = LoyaltyCurrencyFactory().owner
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.REDEMPTION
    )
    response = signed_client_for(partner).post("/members/lookup", lookup(member))
    assert response.status_code == 200, response.content


def test_lookup_of_an_unknown_member_is_404(issuer_client, member):
    response = issuer_client.post(
        "/members/lookup",
        {"loyalty_currency": "EXAMPLE_POINTS", "loyalty_program_identifiers": {"id": "NOPE"}},
    )
    assert response.status_code == 404
    assert response.json() == {
        "errors": [
            {
                "message": "No member 'NOPE' in EXAMPLE_POINTS.",
                "field": "loyalty_program_identifiers",
                "code": "member_does_not_exist",
            }
        ]
    }


def test_lookup_with_a_null_character_is_400(issuer_client, member):
    body = {"loyalty_currency": "EXAMPLE_POINTS", "loyalty_program_identifiers": {"id": "M\u00001"}}
    response = issuer_client.post("/members/lookup", body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "loyalty_program_identifiers"


def test_lookup_of_an_unknown_currency_is_400(issuer_client, member):
    response = issuer_client.post("/members/lookup", lookup(member, currency="NOPE"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "loyalty_currency"


def test_lookup_accepts_the_contract_example_extras(issuer_client, member):
    extras = {"linked_loyalty_currency": "EXAMPLE_POINTS", "loyalty_system_data": {}}
    response = issuer_client.post("/members/lookup", lookup(member, **extras, metadata={}))
    assert response.status_code == 200, response.content


def test_lookup_through_another_linked_currency_is_refused(issuer_client, member):
    response = issuer_client.post(
        "/members/lookup", lookup(member, linked_loyalty_currency="OTHER_MILES")
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "linked_loyalty_currency"


def test_member_with_tier_and_balance_is_one_query(member, gold, django_assert_num_queries):
    Member.objects.filter(pk=member.pk).update(tier=gold)
    with django_assert_num_queries(1):
        data = member_data(members_with_balance().get(pk=member.pk), as_owner=True)
    assert (data["balance"], data["tier"]["id"]) == (0, "gold")
