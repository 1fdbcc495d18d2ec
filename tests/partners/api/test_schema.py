"""The generated OpenAPI schema against the contract (currency-alliance-openapi-3.0-contract.md).

Written over whatever operations exist: each must be one of the contract's 60, under its path,
method, operationId and tag.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS

from partners.api.authentication import sign

API = "/public/v3.0"
SCHEMA_URL = f"{API}/schema/"
DOCS_URL = f"{API}/docs/"
OPENAPI_JSON = "application/vnd.oai.openapi+json"

# The contract's operations by tag: (method, path, operationId). The contract writes the custom
# data path with angle brackets (/partners/<api_identifier>/data/<field_name>); OpenAPI uses braces.
CONTRACT_OPERATIONS = {
    "Direct accruals": [
        ("POST", "/accruals/standard", "DirectAccruals_executeStandardAccrual"),
    ],
    "Purchase rules": [
        ("POST", "/accruals/purchase-rules/simulate", "PurchaseRules_simulatePurchaseRules"),
        ("POST", "/accruals/purchase-rules/trigger", "PurchaseRules_triggerLoyaltyRules"),
        ("GET", "/accruals/purchase-rules/executions/{id}", "PurchaseRules_getExecution"),
        (
            "POST",
            "/accruals/purchase-rules/executions/{id}/retrigger",
            "PurchaseRules_retriggerExecution",
        ),
        (
            "POST",
            "/accruals/purchase-rules/executions/{id}/cancel",
            "PurchaseRules_cancelExecution",
        ),
    ],
    "Activity rules": [
        ("POST", "/accruals/activity-rules/simulate", "ActivityRules_simulateRuleExecution"),
        ("POST", "/accruals/activity-rules/trigger", "ActivityRules_triggerRule"),
    ],
    "Exchanges": [
        ("POST", "/exchanges/simulate", "Exchanges_simulateCurrencyExchange"),
        ("POST", "/exchanges/execute", "Exchanges_executeCurrencyExchange"),
        (
            "POST",
            "/exchanges/linked-account-simulate",
            "Exchanges_simulateLinkedAccountCurrencyExchange",
        ),
        (
            "POST",
            "/exchanges/linked-account-execute",
            "Exchanges_executeLinkedAccountCurrencyExchange",
        ),
    ],
    "Members": [
        ("POST", "/members", "Members_createRecord"),
        ("PATCH", "/members", "Members_updateMemberRecord"),
        ("POST", "/members/lookup", "Members_validateMemberDetails"),
    ],
    "Conversions": [
        ("POST", "/loyalty-currencies/fiat-convert", "Conversions_fiatToLoyaltyCurrency"),
    ],
    "Standard redemptions": [
        ("POST", "/redemptions/standard/simulate", "StandardRedemptions_simulateRedemption"),
        ("POST", "/redemptions/standard", "StandardRedemptions_executeRedemption"),
        ("POST", "/redemptions/standard/adjust", "StandardRedemptions_adjustRedemption"),
        ("POST", "/redemptions/standard/cancel", "StandardRedemptions_cancelRedemption"),
    ],
    "Gift cards": [
        ("GET", "/redemptions/gift-cards", "GiftCards_getEnabledList"),
        ("GET", "/redemptions/gift-cards/{id}", "GiftCards_getDetails"),
        ("POST", "/redemptions/gift-cards/{id}/simulate", "GiftCards_simulateExchange"),
        ("POST", "/redemptions/gift-cards/{id}/issue", "GiftCards_exchangeLoyaltyForGiftCard"),
        ("POST", "/redemptions/gift-cards/{id}/direct-issue", "GiftCards_issueCode"),
        ("POST", "/redemptions/gift-cards/codes", "GiftCards_getIssuedCode"),
        ("POST", "/redemptions/gift-cards/custom/validate", "GiftCards_validateCustomCode"),
        ("POST", "/redemptions/gift-cards/custom/redeem", "GiftCards_redeemCustomGiftCardCode"),
        ("POST", "/redemptions/gift-cards/custom/cancel", "GiftCards_cancelCustomCode"),
    ],
    "Transactions": [
        ("POST", "/members/transactions", "Transactions_listMemberTransactions"),
        ("GET", "/transactions", "Transactions_listAllTransactions"),
        ("POST", "/transactions", "Transactions_createTransaction"),
        ("GET", "/transactions/{id}", "Transactions_getDetails"),
        ("PATCH", "/transactions/{id}", "Transactions_updateTransactionDetails"),
        ("POST", "/transactions/{id}/cancel", "Transactions_cancelTransaction"),
    ],
    "Partners": [
        ("GET", "/partners", "Partners_listAllPartners"),
        ("GET", "/partners/exchange-in", "Partners_listExchangeInPartners"),
        ("GET", "/partners/exchange-out", "Partners_listExchangeOutPartners"),
        ("GET", "/partners/issuing", "Partners_listIssuingPartners"),
        ("GET", "/partners/redemption", "Partners_getRedemptionPartners"),
        (
            "GET",
            "/partners/currency-owners-for-redemption",
            "Partners_listRedemptionCurrencyOwners",
        ),
        (
            "GET",
            "/partners/currency-owners-for-issuance",
            "Partners_listCurrencyOwnersForIssuance",
        ),
        (
            "GET",
            "/partners/{api_identifier}/data/{field_name}",
            "Partners_getPartnerCustomData",
        ),
    ],
    "Exchange Reports": [
        ("GET", "/reports/exchanges", "ExchangeReports_getCsvReport"),
    ],
    "Custom gift cards": [
        ("GET", "/reports/gift-cards/custom", "CustomGiftCards_listIssuedCodes"),
        ("GET", "/reports/gift-cards/custom/inventory", "CustomGiftCards_listInventory"),
        (
            "GET",
            "/reports/gift-cards/custom/{id}/inventory",
            "CustomGiftCards_getInventoryStatus",
        ),
    ],
    "Cohorts": [
        ("GET", "/cohorts", "Cohorts_getList"),
        ("POST", "/cohorts", "Cohorts_createCohort"),
        ("GET", "/cohorts/{cohort_id}", "Cohorts_getCohort"),
        ("PATCH", "/cohorts/{cohort_id}", "Cohorts_updateCohortInformation"),
    ],
    "Cohort Purchases": [
        (
            "GET",
            "/cohorts/{cohort_id}/loyalty-rules/purchases",
            "CohortPurchases_listLoyaltyRules",
        ),
        (
            "PATCH",
            "/cohorts/{cohort_id}/loyalty-rules/purchases/{rule_id}",
            "CohortPurchases_updateLoyaltyRule",
        ),
        (
            "POST",
            "/loyalty-rules/{cohort_id}/purchases/simulate",
            "CohortPurchases_simulateExecution",
        ),
        (
            "POST",
            "/loyalty-rules/{cohort_id}/purchases/execute",
            "CohortPurchases_executeLoyaltyRulesMatching",
        ),
    ],
    "Cohort Activities": [
        (
            "GET",
            "/cohorts/{cohort_id}/loyalty-rules/activities",
            "CohortActivities_listActivityLoyaltyRules",
        ),
        (
            "PATCH",
            "/cohorts/{cohort_id}/loyalty-rules/activities/{rule_id}",
            "CohortActivities_updateRule",
        ),
        (
            "POST",
            "/cohorts/{cohort_id}/loyalty-rules/activities/simulate",
            "CohortActivities_triggerLoyaltyRuleSimulation",
        ),
        (
            "POST",
            "/cohorts/{cohort_id}/loyalty-rules/activities/execute",
            "CohortActivities_executeActivityRule",
        ),
    ],
    "Cohort Accounts": [
        ("GET", "/cohorts/{cohort_id}/accounts", "CohortAccounts_listAccounts"),
    ],
}
# (method, path) -> (operationId, tag)
CONTRACT = {
    (method, path): (operation_id, tag)
    for tag, operations in CONTRACT_OPERATIONS.items()
    for method, path, operation_id in operations
}

# The contract's Transaction object, as its API reference lists it (the OpenAPI copy omits `bonus`).
TRANSACTION_FIELDS = {
    "amount",
    "bonus",
    "completed_at",
    "created_at",
    "destination_account",
    "external_reference",
    "id",
    "loyalty_currency",
    "loyalty_system_data",
    "loyalty_system_id",
    "metadata",
    "origin_account",
    "reason",
    "reason_code",
    "related_data",
    "release_date",
    "status",
    "status_message",
    "status_message_code",
    "sub-type",
    "type",
}
CONTRACT_ENUMS = {
    "RedemptionCategory": [
        "car_rental",
        "digital_media",
        "educational_content",
        "experiences",
        "flight",
        "food_and_beverage",
        "general",
        "giftcards_and_evouchers",
        "health_and_wellness",
        "hotel",
        "insurance",
        "retail",
        "travel_other",
    ],
    "TransactionType": [
        "accrual",
        "gift_card_exchange",
        "loyalty_currency_expiration",
        "loyalty_currency_generation",
        "loyalty_currency_purchase",
        "loyalty_currency_withdrawal",
        "member_exchange",
        "redemption",
        "transfer",
        "reversal",
        "wholesale_exchange",
    ],
    "TransactionSubType": [
        "activity_rule",
        "adjustment_decrease",
        "adjustment_increase",
        "buy",
        "cancellation",
        "in",
        "member",
        "member_to_member",
        "other",
        "out",
        "partner",
        "partner_to_partner",
        "purchase_rule",
        "self_transfer",
        "standard",
    ],
    "TransactionStatus": [
        "adjusted",
        "cancelled",
        "completed",
        "pending",
        "pending_external_approval",
        "rejected",
        "reversed",
    ],
    "TransactionStatusMessageCode": [
        "release_date_not_reached",
        "pending_external_approval",
        "member_does_not_exist",
    ],
    "TransactionFieldReasonCode": [
        "bonus_reward",
        "customer_service_issue",
        "gift",
        "lottery_reward",
        "other",
        "participation_check_in_reward",
        "product_purchase",
        "referral_reward",
        "service_purchase",
        "sharing_information_reward",
        "social_action_reward",
        "special_event_reward",
    ],
}
# Query parameters whose values are these enums (several may be given, comma-separated).
QUERY_ENUMS = {"status": "TransactionStatus", "type": "TransactionType"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def schema():
    response = Client().get(SCHEMA_URL, headers={"Accept": OPENAPI_JSON})
    assert response.status_code == 200, response.content
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.removeprefix(REF)]


def json_schema(body: dict) -> dict:
    return body["content"]["application/json"]["schema"]


def test_contract_table_has_the_contracts_sixty_operations():
    methods = [method for method, _ in CONTRACT]
    assert len(CONTRACT) == 60
    assert (methods.count("POST"), methods.count("GET"), methods.count("PATCH")) == (33, 22, 5)
    assert len({path for _, path in CONTRACT}) == 55


def test_spectacular_validates_without_warnings(tmp_path):
    """`manage.py spectacular --validate --fail-on-warn` fails on any warning or invalid schema."""
    GENERATOR_STATS.reset()  # warnings of earlier generations in this process are not ours
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text().startswith("openapi: 3.0")


def test_schema_and_docs_are_public():
    client = Client()
    assert client.get(SCHEMA_URL).status_code == 200
    assert client.get(DOCS_URL).status_code == 200
    # A bad signature does not matter either: these views do not authenticate.
    bad = {"Authorization": "Credential=pub_nope, Signature=00"}
    assert client.get(SCHEMA_URL, headers=bad).status_code == 200


def test_info_and_servers(schema):
    assert schema["info"]["title"] == "Loyalty back office partner API"
    assert schema["info"]["version"] == "3.0"
    assert schema["servers"] == [{"url": "/public/v3.0"}]


def test_paths_are_relative_to_the_server_and_exclude_schema_and_docs(schema):
    assert schema["paths"], "no operation in the schema"
    for path in schema["paths"]:
        assert not path.startswith(API), path
        assert path == "/" or not path.endswith("/"), path
        assert not re.match(r"^/(schema|docs)\b", path), path


def test_every_operation_is_the_contracts(schema):
    for method, path, operation in operations(schema):
        assert (method, path) in CONTRACT, f"{method} {path} is not in the contract"
        operation_id, tag = CONTRACT[(method, path)]
        assert operation["operationId"] == operation_id, f"{method} {path}"
        assert operation["tags"] == [tag], f"{method} {path}"


def test_every_operation_is_signed(schema):
    scheme = schema["components"]["securitySchemes"]["PartnerSignature"]
    assert scheme["type"] == "apiKey"
    assert (scheme["in"], scheme["name"]) == ("header", "Authorization")
    assert "HMAC-SHA256" in scheme["description"]
    for method, path, operation in operations(schema):
        assert operation["security"] == [{"PartnerSignature": []}], f"{method} {path}"


def test_idempotency_headers_on_post_and_patch_only(schema):
    for method, path, operation in operations(schema):
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        names = [p["name"] for p in headers]
        if method in ("POST", "PATCH"):
            assert names == ["Idempotency-Key"], f"{method} {path}"
            assert headers[0]["schema"]["maxLength"] == 255
            successes = [r for s, r in operation["responses"].items() if s.startswith("2")]
            assert successes, f"{method} {path} documents no success"
            for response in successes:
                assert "Idempotency-Repeated" in response["headers"], f"{method} {path}"
        else:
            assert names == [], f"{method} {path}"
            for response in operation["responses"].values():
                assert "Idempotency-Repeated" not in response.get("headers", {})


def test_every_operation_with_a_body_documents_413_and_415(schema):
    """The framework answers them for any body, before the operation runs; a 413 comes before
    the Idempotency-Key is looked at (never replayed), a 415 is the view's answer (replayed)."""
    with_body = [(m, p, o) for m, p, o in operations(schema) if "requestBody" in o]
    assert with_body
    for method, path, operation in operations(schema):
        documented = set(operation["responses"]) & {"413", "415"}
        if "requestBody" not in operation:
            assert not documented, f"{method} {path}"
            continue
        assert documented == {"413", "415"}, f"{method} {path}"
        assert "Idempotency-Repeated" not in operation["responses"]["413"].get("headers", {})
        assert "Idempotency-Repeated" in operation["responses"]["415"]["headers"]


def test_errors_have_the_generic_error_shape(schema):
    generic = schema["components"]["schemas"]["GenericError"]
    item = component(schema, generic["properties"]["errors"]["items"]["$ref"])
    assert set(item["properties"]) == {"message", "field", "code"}
    for method, path, operation in operations(schema):
        for status, response in operation["responses"].items():
            if status.startswith("4"):
                assert json_schema(response) == {"$ref": f"{REF}GenericError"}, (
                    f"{method} {path} {status}"
                )


def test_transaction_has_the_contracts_fields(schema):
    transaction = schema["components"]["schemas"]["Transaction"]
    assert set(transaction["properties"]) == TRANSACTION_FIELDS


@pytest.mark.parametrize("name", CONTRACT_ENUMS)
def test_enum_components_are_the_contracts(schema, name):
    assert schema["components"]["schemas"][name]["enum"] == CONTRACT_ENUMS[name]


def test_transaction_fields_use_the_enum_components(schema):
    properties = schema["components"]["schemas"]["Transaction"]["properties"]
    refs = {
        name: {
            ref["$ref"]
            for ref in prop.get("oneOf", []) + prop.get("allOf", []) + [prop]
            if "$ref" in ref
        }
        for name, prop in properties.items()
    }
    assert f"{REF}TransactionType" in refs["type"]
    assert f"{REF}TransactionSubType" in refs["sub-type"]
    assert f"{REF}TransactionStatus" in refs["status"]
    assert f"{REF}TransactionStatusMessageCode" in refs["status_message_code"]


def test_status_and_type_filters_take_the_contracts_values(schema):
    found = 0
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in QUERY_ENUMS:
                expected = CONTRACT_ENUMS[QUERY_ENUMS[parameter["name"]]]
                values = parameter["schema"]["items"]["enum"]
                assert sorted(values) == sorted(expected), f"{method} {path}"
                found += 1
    assert found, "no operation filters by status or type"


def test_request_and_response_components_are_separate(schema):
    requests, responses = set(), set()
    for _, _, operation in operations(schema):
        if "requestBody" in operation:
            requests.add(json_schema(operation["requestBody"]).get("$ref"))
        for response in operation["responses"].values():
            for media in response.get("content", {}).values():  # JSON, and the report's CSV
                responses.add(media["schema"].get("$ref"))
    requests.discard(None)
    assert requests, "no operation takes a request component"
    assert not requests & responses


def test_docs_page_loads_only_local_static_files():
    response = Client().get(DOCS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 3  # favicon, stylesheet, scripts
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"


def test_description_documents_both_signing_schemes():
    response = Client().get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200, response.content
    description = response.json()["info"]["description"]
    assert "Authorization: Credential=<public key>, Signature=<signature>" in description
    assert "hex-encoded HMAC-SHA256" in description
    assert "Signature-Timestamp" in description
    assert "<METHOD>\\n<path>\\n<timestamp>\\n" in description


# Documentation a partner's developer integrates from ------------------------------------------


def _properties(node, where: str):
    """Every (place, property) of a schema node, through variants, items and nested objects."""
    for key in ("oneOf", "anyOf", "allOf"):
        for number, variant in enumerate(node.get(key, [])):
            yield from _properties(variant, f"{where}/{key}{number}")
    if isinstance(node.get("items"), dict):
        yield from _properties(node["items"], f"{where}[]")
    for name, prop in node.get("properties", {}).items():
        yield f"{where}.{name}", prop
        yield from _properties(prop, f"{where}.{name}")


def test_every_request_and_response_property_has_a_description_and_an_example(schema):
    undocumented = [
        place
        for name, component in schema["components"]["schemas"].items()
        for place, prop in _properties(component, name)
        if not prop.get("description") or "example" not in prop
    ]
    assert undocumented == []
    origin = schema["components"]["schemas"]["AccrualStandardCreateRequest"]["properties"]
    assert "your partner id" in origin["origin"]["description"]
    assert origin["origin"]["example"].startswith("part_")


def test_the_guide_signs_its_worked_example_as_the_api_checks_it(schema):
    guide = schema["info"]["description"]
    rows = re.findall(r"\| the body `(\{.*?\})` \| `([0-9a-f]{64})` \|", guide)
    assert rows == [('{"foo": "bar"}', sign("sec_12345", b'{"foo": "bar"}'))]
    accrual = re.search(r"^    (\{\"amount\": 1000.*\})$", guide, re.M).group(1)
    assert f"| the accrual body below | `{sign('sec_12345', accrual.encode())}` |" in guide
    assert f"`{sign('sec_12345', b'foo=bar')}`" in guide
    assert f"`{sign('sec_12345', b'')}`" in guide
    assert "openssl dgst -sha256 -hmac" in guide and "hmac.new(SECRET_KEY.encode()" in guide
    for anchor in ("signing", "idempotency", "errors"):
        assert f'id="{anchor}"' in guide


def test_every_operation_links_the_rules_written_once(schema):
    for method, path, operation in operations(schema):
        description = operation["description"]
        assert "(#signing)" in description and "(#errors)" in description, f"{method} {path}"
        assert ("(#idempotency)" in description) == (method in ("POST", "PATCH")), path


def test_the_base_url_points_at_the_docs_and_the_schema():
    response = Client().get(f"{API}/")
    assert response.status_code == 200
    body = response.json()
    assert body["docs"].endswith(DOCS_URL) and body["schema"].endswith(SCHEMA_URL)
    assert Client().get(f"{API}/no-such-thing").status_code == 404


def test_the_exchange_report_is_documented_as_csv(schema):
    operation = schema["paths"]["/reports/exchanges"]["get"]
    body = operation["responses"]["200"]["content"]
    assert list(body) == ["text/csv"]
    item = component(schema, body["text/csv"]["schema"]["items"]["$ref"])
    assert list(item["properties"]) == [
        "created_at",
        "destination_amount",
        "destination_loyalty_currency",
        "destination_id",
        "destination_member",
        "external_reference",
        "origin_amount",
        "origin_loyalty_currency",
        "origin_id",
        "origin_member",
    ]
    assert [p["name"] for p in operation["parameters"]] == ["created_at__range"]
