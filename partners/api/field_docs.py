"""What every request and response field of the partner API means, with an example, in the
contract's words (currency-alliance-openapi-3.0-contract.md), so that a partner's developer can
integrate from the docs alone.

`FIELDS` holds a field's meaning wherever the name appears; `BY_COMPONENT` the meanings that
differ by component (an `id` is a transaction's, a member's or a rule's). The postprocessing hook
`partners.api.schema.document_fields` writes them into the generated schema where a serializer
gave none, and tests/partners/api/test_schema.py fails on any property left without both.
"""

from typing import Any

MEMBER_EXAMPLE = {"id": "M12334532X"}
TRANSACTION_EXAMPLE_ID = "tx_abc12312345"

# name -> (description, example)
FIELDS: dict[str, tuple[str, Any]] = {
    # Exchanges
    "origin_loyalty_currency": ("The code of the currency the units leave.", "TSS"),
    "destination_loyalty_currency": (
        "The code of the currency the units arrive in (null or absent on simulate: every "
        "exchange partner).",
        "TCC",
    ),
    "origin_member": (
        "The loyalty_program_identifiers of the member whose units are exchanged.",
        MEMBER_EXAMPLE,
    ),
    "destination_member": (
        "The loyalty_program_identifiers of the member who receives the exchanged units (for a "
        "partner programme, the fields its exchange partnership requires).",
        {"id": "3081470000000000", "family_name": "Smith"},
    ),
    "origin_transaction": (
        "The origin member's units to the exchange partner, in the origin currency.",
        {"id": TRANSACTION_EXAMPLE_ID},
    ),
    "destination_transaction": (
        "The exchange partner's units to the destination member, in the destination currency "
        "(pending_external_approval until a partner programme confirms it).",
        {"id": TRANSACTION_EXAMPLE_ID},
    ),
    # Bank accounts of a member
    "account_holder": ("The name of the account's holder.", "Ada Andersen"),
    "account_name": ("A name the member gives the account.", "Main account"),
    "account_number": ("The account number (outside IBAN countries).", "12345678"),
    "bank_code": ("The bank's code (sort code, routing number...).", "200000"),
    "bank_name": ("The bank's name.", "Example Bank"),
    "bic_swift": ("The bank's BIC (SWIFT) code.", "EXBKGB2L"),
    "branch_code": ("The branch's code.", "001"),
    "iban": ("The account's IBAN.", "GB33BUKB20201555555555"),
    "non_iban_code": ("A national account code where there is no IBAN.", "021000021"),
    # Members
    "additional_information": ("Free-form data about the member.", {"newsletter": True}),
    "address_line1": ("First line of the postal address.", "1 Example Street"),
    "address_line2": ("Second line of the postal address.", "Flat 2"),
    "address_line3": ("Third line of the postal address.", "Old Town"),
    "balance": (
        "The member's balance in whole units; null if the currency's owner has not granted "
        "partners access to balances.",
        1500,
    ),
    "bank_accounts": ("The member's bank accounts.", []),
    "birth_date": ("Date of birth, YYYY-MM-DD.", "1990-05-17"),
    "city": ("City of the postal address.", "London"),
    "company_registration_number": ("A company member's registration number.", "09876543"),
    "country": ("Country, ISO 3166-1 alpha-3.", "USA"),
    "email": ("The member's email address.", "ada.andersen@example.com"),
    "first_name": ("An individual member's first name.", "Ada"),
    "gender": ("An individual member's gender: male, female or other.", "female"),
    "last_name": ("An individual member's last name.", "Andersen"),
    "loyalty_program_identifiers": (
        "How the programme identifies the member: its `id` is the membership number; some "
        "programmes need more (e.g. the last name).",
        MEMBER_EXAMPLE,
    ),
    "phone_number": ("Phone number, E.164.", "+443031237300"),
    "postal_code": ("Postal code of the address.", "SW1A 1AA"),
    "state": ("State or region of the address.", "Greater London"),
    "member": (
        "The member, by their loyalty_program_identifiers (at least the membership number `id`).",
        MEMBER_EXAMPLE,
    ),
    "linked_loyalty_currency": (
        "The partner programme's currency whose linked account is looked up.",
        "TCC",
    ),
    # Transactions
    "amount": ("A whole number of units, greater than zero.", 1000),
    "bonus": ("Whether the units are a bonus (shown apart in reports).", False),
    "completed_at": (
        "When the units reached the destination's spendable balance (null while pending).",
        "2019-03-04T11:50:03+0000",
    ),
    "created_at": ("When the transaction was recorded.", "2019-03-04T11:50:03+0000"),
    "destination": (
        "Where the units go: a member's loyalty_program_identifiers, one of your account ids "
        "(acc_...) or a partner id (part_...; its default account).",
        "acc_abcd1234",
    ),
    "destination_account": (
        "The account the units went to, with its owner.",
        {"id": "acc_abc123", "owner": {"id": "mp_abc123", "type": "member"}},
    ),
    "external_reference": (
        "Your unique reconciliation id; optional but strongly recommended.",
        "ORDER-2026-0001",
    ),
    "loyalty_currency": ("The loyalty currency's code.", "EXAMPLE_POINTS"),
    "loyalty_system_data": (
        "Extra data the partner loyalty programme needs; the Partners endpoints say which fields "
        "are mandatory.",
        {"card_number": "1234 5678"},
    ),
    "loyalty_system_id": ("The partner programme's own id for this transaction.", "AV-998877"),
    "metadata": ("Your own data, up to 5 levels of nesting; returned as sent.", {"foo": "bar"}),
    "origin": (
        "Where the units come from: your partner id (part_...; your default account) or one of "
        "your account ids (acc_...).",
        "part_abcd1234",
    ),
    "origin_account": (
        "The account the units came from, with its owner.",
        {"id": "acc_abc123", "owner": {"id": "part_abc123", "type": "partner"}},
    ),
    "owner": (
        "Who holds the account: a member or a partner.",
        {"id": "mp_abc123", "type": "member"},
    ),
    "reason": (
        "Why, in words the member may read (26 characters or fewer display best).",
        "Christmas bonus",
    ),
    "reason_code": ("The kind of reason, from the contract's list.", "product_purchase"),
    "related_data": (
        "What produced the transaction: the purchase or activity rules that fired (with their "
        "execution), a gift card code or a standard redemption; null for a plain movement.",
        {
            "type": "activity_rule",
            "id": "lr_abcr1234",
            "name": "Birthday bonus",
            "activity_id": "birthday",
        },
    ),
    "release_date": (
        "ISO 8601; seconds are truncated. Until then the transaction is `pending` and its units "
        "are in the destination's pending balance.",
        "2020-10-10T12:12:00Z",
    ),
    "status": ("The transaction's status.", "pending"),
    "status_message": (
        "Why the transaction is not completed yet (null when completed).",
        "The release date has not been reached yet.",
    ),
    "status_message_code": (
        "status_message as a code (null when completed).",
        "release_date_not_reached",
    ),
    "sub-type": ("What kind of movement within its type.", "purchase_rule"),
    "transaction": ("The transaction the rule issued.", {"id": TRANSACTION_EXAMPLE_ID}),
    "transactions": ("The transactions issued, one per rule or one in total.", []),
    # Lists
    "count": ("How many items the whole list has.", 10),
    "next": ("The next page, or null on the last.", "?page=2"),
    "previous": ("The previous page, or null on the first.", None),
    "results": ("The items of this page.", []),
    # Errors
    "errors": (
        "Every problem found, each with a message, the field at fault and a code.",
        [{"message": "A valid integer is required.", "field": "amount", "code": "invalid"}],
    ),
    "message": ("What is wrong, in words.", "A valid integer is required."),
    "code": ("A machine-readable code for the problem.", "invalid"),
    # Rules
    "activity_ids": ("The activities the member did.", ["birthday"]),
    "activity_identifier": ("The activity the rule rewards.", "birthday"),
    "amount_issued": ("Units the rule issued (or would issue).", 100),
    "enabled": ("Whether the rule runs for this cohort.", True),
    "fiat_amount": ("The purchase's amount in fiat money, as a decimal string.", "20.00"),
    "fiat_currency": ("A fiat currency, ISO 4217.", "USD"),
    "not_fired": ("The rules that did not fire, with the reasons.", []),
    "preferred_execution_mode": (
        "One transaction per rule, or one for all the rules that fire.",
        "multiple_transactions",
    ),
    "reasons": ("Why the rule did not fire.", [{"code": "tags", "message": "No tag matches."}]),
    "rule": ("The rule.", {"id": "rl_abcd1234", "name": "Double points"}),
    "rules": ("The rules that fired (or would fire), with what each issues.", []),
    "tags": (
        "A rule runs if it has no tags or shares one with the purchase.",
        ["promo20"],
    ),
    "total": ("Units issued (or that would be) by all the rules together.", 100),
    # Conversions
    "custom_value": ("The fiat value of one unit, for price_type custom_value.", "10.12345678"),
    "custom_value_currency": ("The fiat currency of custom_value, ISO 4217.", "USD"),
    "exact_fiat_cost": (
        "The fiat cost of loyalty_amount, which rounding may put above or below the amount.",
        "99.0000",
    ),
    "loyalty_amount": ("Whole units the fiat amount converts to.", 10),
    "loyalty_system_amount": (
        "The amount in the partner programme's own precision.",
        "10.00000000",
    ),
    "price_type": ("Which value of one unit the conversion uses.", "customers_perceived_value"),
    "rounding": ("How a fraction of a unit is rounded.", "bankers_rounding"),
    # Partners and partnerships
    "active_partnerships": (
        "Which kinds of partnership you have with this partner.",
        {"issuing": True, "redemption": False},
    ),
    "adjustment_allowed": ("Whether a redemption may be adjusted after it is made.", True),
    "api_identifier": ("Deprecated: use id.", "part_deprecated"),
    "batch_process": ("Whether transactions are sent to the partner in batches.", False),
    "company_name": ("The company's name.", "FooBar"),
    "conversion_ratio_per_unit": ("Units of the partner's currency per unit of yours.", "1.2"),
    "currency_owner_for_issuance": ("The partner owns a currency you issue.", False),
    "currency_owner_for_redemption": ("The partner owns a currency you accept.", False),
    "exchange_enabled": ("Whether members may exchange now.", True),
    "exchange_in": ("Members of the partner may exchange into your currency.", False),
    "exchange_out": ("Your members may exchange out to the partner's currency.", False),
    "execute_action": (
        "What a member must give to execute an operation with this partner.",
        {"required_fields": [{"id": "card_number", "name": "Loyalty Card number"}]},
    ),
    "issuing": ("The partner issues your currency.", True),
    "logo": ("The partner's logo (a URL).", "https://example.com/logo.png"),
    "loyalty_rules_execution_mode": (
        "How the currency owner records rule awards: one transaction per rule or one in total.",
        "multiple_transactions",
    ),
    "maximum_member_transaction_amount": ("The most units one member transaction may move.", 100),
    "member_lookup_action": (
        "Whether and how a member can be looked up before an operation.",
        {"member_lookup_available": True, "required_fields": []},
    ),
    "member_lookup_available": ("Whether members can be looked up.", True),
    "minimum_member_transaction_amount": ("The fewest units one member transaction may move.", 10),
    "partner_id": ("The partner's id.", "part_abcd1234"),
    "partnership_details": ("The terms of the partnership.", {"exchange_enabled": True}),
    "redemption": ("The partner accepts your currency.", False),
    "required_fields": (
        "The fields to ask the member for: an HTML field id and its label.",
        [{"id": "card_number", "name": "Loyalty Card number"}],
    ),
    "field": ("The custom data's name.", "codes"),
    "values": ("The custom data's values.", [{"code": "A1", "name": "Store 1"}]),
    # Tiers
    "level": ("The tier's rank; a higher level ranks higher.", 1),
    # Standard redemptions
    "redemption_items": (
        "The itemised invoice, up to 50 items: each in fiat (fiat_amount, fiat_currency) or in "
        "units (loyalty_amount), with its category.",
        [{"category": "hotel", "fiat_amount": "340.35", "fiat_currency": "EUR"}],
    ),
    "category": (
        "The product's category, which sets the price of a unit; general when unsure.",
        "hotel",
    ),
    "channel": (
        "Where the member redeems (for a custom gift-card code: store or online).",
        "store",
    ),
    "sub_category": ("A finer category of your own.", "concert_tickets"),
    "product_code": ("Your product's code.", "ROOM-DLX"),
    "product_description": ("Your product's description.", "Deluxe room, 2 nights"),
    "promotion_code": ("A promotion code the member used.", "promo123"),
    "total_fiat_amount": ("The redemption's total in fiat, a decimal string.", "340.35"),
    "total_loyalty_amount": ("The redemption's total in whole units.", 45564),
    "sufficient_balance": (
        "Whether the member's balance covers the total; null when no member is named.",
        True,
    ),
    "maximum_fiat_balance": (
        "The fiat value of the member's balance at the general price; null when no member is "
        "named or you may not see balances.",
        "700.00",
    ),
    "new_external_reference": (
        "Your reference for the adjusted redemption (may repeat the previous one).",
        "abcd1234",
    ),
    "previous_external_reference": (
        "The external reference of the redemption's latest transaction (its latest "
        "adjustment, if any).",
        "abcd1234",
    ),
    "previous_transaction_id": (
        "The id of the redemption's latest transaction (its latest adjustment, if any).",
        TRANSACTION_EXAMPLE_ID,
    ),
    "fiat_amount_difference": (
        "New total minus previous total in fiat; negative when the redemption shrank.",
        "12.34",
    ),
    "loyalty_amount_difference": (
        "New total minus previous total in units; negative when units went back to the member.",
        123,
    ),
    # Gift cards
    "available": ("Codes in stock and not expired.", 5),
    "barcode_format": ("How the code is drawn as a barcode; null when it is not.", "code-128"),
    "barcode_string": ("What the barcode encodes, when it differs from the code.", "1234567890"),
    "brand_id": ("The gift card (gcb_...) the code must be of.", "gcb_abc123"),
    "countries": ("Where the card is sold, ISO 3166-1 alpha-3.", ["ESP", "PRT"]),
    "currency": ("The card's fiat currency, ISO 4217.", "EUR"),
    "custom_settings_data": ("Provider-specific data; empty for our own inventory.", {}),
    "delivery_url": ("A page that shows the code to the member, when there is one.", ""),
    "denomination_type": (
        "fixed (a list of denominations), open (any amount in cents between the minimum and "
        "the maximum) or open_integer (whole amounts only).",
        "fixed",
    ),
    "denominations": ("A fixed card's face values; null for open cards.", ["5.00", "10.00"]),
    "discount_amount": ("The discount a discount card's code gives.", 15.0),
    "discount_value": ("The discount a discount card gives.", 15.0),
    "expiration_policy": ("How long codes stay valid.", "12 months"),
    "fiat_balance": ("What is left to redeem on the code.", "6.00"),
    "gift_card_code": ("The gift card code, as printed.", "ABCD-0000-ABCD-0000"),
    "image": ("The card's picture.", "https://example.com/card.png"),
    "issuance_details": ("How and by whom the code was issued.", {}),
    "issued": ("Codes issued to members.", 5),
    "loyalty_amount_exchanged": ("The units the member paid you (information only).", 1000),
    "loyalty_information": ("The loyalty side of the sale.", {}),
    "maximum_value": ("An open card's largest amount.", "100.00"),
    "member_id": ("The member the code was sold to.", "M12334532X"),
    "minimum_value": ("An open card's smallest amount.", "5.00"),
    "original_code": ("The code this one replaced, if any.", ""),
    "original_external_reference": ("The external reference of the original issue.", "order-1"),
    "partner_code": ("Your own code for the sale.", "SHOP-1"),
    "partner_name": ("The partner that sold the code.", "Example Air"),
    "pin": ("The code's PIN; empty when it has none.", "1234"),
    "provider": ("Whose inventory the codes come from.", "currency_alliance"),
    "redeem_instructions_html": ("How to redeem, as HTML.", "<p>Show the code at the till.</p>"),
    "redemption_date": ("When the redemption was made.", "2024-05-01"),
    "redemption_details": ("Every redemption of the code, oldest first.", []),
    "redemption_status": (
        "unredeemed, partially_redeemed or redeemed; null for a code not issued.",
        "unredeemed",
    ),
    "short_name": ("The loyalty currency's name.", "Example Points"),
    "terms_and_conditions_html": ("The card's terms, as HTML.", "<p>Not exchangeable.</p>"),
    "terms_and_conditions_url": ("Where the card's terms are.", "https://example.com/terms"),
    "total_codes": ("Codes of the card in all.", 15),
    "unavailable": ("Codes expired in stock or cancelled.", 5),
    "expiration_date": ("The last day the code can be used, YYYY-MM-DD.", "2038-01-19"),
    "gift_card": ("The gift card.", {"id": "gcb_abc123"}),
}

# (component, name) -> (description, example), where the meaning depends on the component.
BY_COMPONENT: dict[tuple[str, str], tuple[str, Any]] = {
    # The exchange CSV's columns (the contract's example row)
    ("ReportExchange", "created_at"): (
        "When the exchange was made, UTC, as the contract writes it.",
        "2019-03-04T11:50:03+0000",
    ),
    ("ReportExchange", "destination_amount"): ("Units credited in the destination currency.", 10),
    ("ReportExchange", "destination_loyalty_currency"): (
        "The destination currency's code.",
        "EXAMPLE_POINTS",
    ),
    ("ReportExchange", "destination_id"): ("The destination transaction's id.", "tx_abcd1234"),
    ("ReportExchange", "destination_member"): (
        "The destination member's membership id (in an external programme: the member's "
        "number there).",
        "M12334532",
    ),
    ("ReportExchange", "external_reference"): ("The exchange's external reference.", "foo"),
    ("ReportExchange", "origin_amount"): ("Units taken in the origin currency.", 20),
    ("ReportExchange", "origin_loyalty_currency"): (
        "The origin currency's code.",
        "EXAMPLE_POINTS",
    ),
    ("ReportExchange", "origin_id"): ("The origin transaction's id.", "tx_abcd1234"),
    ("ReportExchange", "origin_member"): ("The origin member's membership id.", "M12334532"),
    ("Account", "id"): ("The account id.", "acc_abc123"),
    ("AccountOwner", "id"): (
        "The owner's id: a member (mp_...) or a partner (part_...).",
        "mp_abc123",
    ),
    ("AccountOwner", "type"): ("What owns the account.", "member"),
    ("DeprecatedAccount", "id"): ("The account id.", "acc_abc123"),
    ("DeprecatedAccountOwner", "id"): ("The owner's id.", "part_abc123"),
    ("DeprecatedAccountOwner", "type"): ("What owns the account.", "partner"),
    ("ActivityRule", "id"): ("The rule's id.", "lr_abcr1234"),
    ("ActivityRule", "name"): ("The rule's name.", "Birthday bonus"),
    ("CohortActivityRule", "id"): ("The rule's id.", "lr_abcr1234"),
    ("CohortActivityRule", "name"): ("The rule's name.", "Birthday bonus"),
    ("CohortActivityRule", "reason"): ("The reason on the transactions it issues.", "Birthday"),
    ("CohortPurchaseRule", "id"): ("The rule's id.", "rl_abc123"),
    ("CohortPurchaseRule", "name"): ("The rule's name.", "Double points"),
    ("CohortPurchaseRule", "reason"): ("The reason on the transactions it issues.", "Promo"),
    ("CohortPurchaseRule", "loyalty_currency"): ("The rule's currency.", "LLL"),
    ("CohortActivityRule", "loyalty_currency"): ("The rule's currency.", "LLL"),
    ("PurchaseRule", "id"): ("The rule's id.", "rl_abcd1234"),
    ("PurchaseRule", "name"): ("The rule's name.", "Double points"),
    ("PurchaseRuleTriggerResponse", "id"): ("The execution's id.", "pre_abcd1234"),
    ("PurchaseRuleTriggerResponse", "status"): ("Whether the execution stands.", "completed"),
    ("Cohort", "id"): ("The cohort's id.", "part_abc123"),
    ("Cohort", "company_name"): ("The cohort's name.", "FooBar"),
    ("Cohort", "status"): ("Whether the cohort's rules run.", "enabled"),
    ("CohortCreateUpdateRequest", "company_name"): ("The cohort's name.", "FooBar"),
    ("CohortCreateUpdateRequest", "status"): ("Whether the cohort's rules run.", "enabled"),
    ("Member", "id"): ("The member's id.", "mp_abc123"),
    ("MemberTypeCompany", "id"): ("The member's id.", "mp_abc123"),
    ("Member", "type"): ("individual or company.", "individual"),
    ("MemberTypeCompany", "type"): ("individual or company.", "company"),
    ("MemberIndividualRequest", "type"): ("individual (the default) or company.", "individual"),
    ("MemberCompanyRequest", "type"): ("company, for a company member.", "company"),
    ("Member", "tier"): ("The member's tier.", {"id": "gold", "level": 1, "name": "Gold"}),
    ("MemberTypeCompany", "tier"): (
        "The member's tier.",
        {"id": "gold", "level": 1, "name": "Gold"},
    ),
    ("MemberIndividualRequest", "tier"): ("The tier's id.", "gold"),
    ("MemberCompanyRequest", "tier"): ("The tier's id.", "gold"),
    ("Member", "loyalty_currency"): ("The member's programme currency.", "EXAMPLE_POINTS"),
    ("MemberTier", "id"): ("The tier's id.", "gold"),
    ("MemberTier", "name"): ("The tier's name.", "Gold"),
    ("MemberBankAccount", "id"): ("The bank account's id.", "ba_1"),
    ("MemberBankAccountRequest", "id"): ("Your id for the bank account.", "ba_1"),
    ("MemberBankAccount", "fiat_currency"): ("The account's currency, ISO 4217.", "GBP"),
    ("MemberBankAccountRequest", "fiat_currency"): ("The account's currency, ISO 4217.", "GBP"),
    ("MemberCompanyRequest", "company_name"): ("The company's name.", "Example Ltd"),
    ("MemberTypeCompany", "company_name"): ("The company's name.", "Example Ltd"),
    ("PartnerListItemLoyaltyCurrency", "id"): ("The currency's code.", "EXAMPLE_POINTS"),
    ("PartnerListItemLoyaltyCurrency", "name"): ("The currency's name.", "XYZ Rewards Points"),
    ("Transaction", "id"): ("The transaction's id.", TRANSACTION_EXAMPLE_ID),
    ("Transaction", "amount"): ("Whole units moved.", 1000),
    ("Transaction", "type"): ("What the transaction is.", "accrual"),
    ("Transaction", "loyalty_currency"): ("The transaction's currency.", "LLL"),
    ("Transaction", "reason_code"): ("The kind of reason.", "product_purchase"),
    ("Transaction", "release_date"): (
        "When a pending transaction is released.",
        "2447-12-01T21:56:57+0000",
    ),
    ("Transaction", "metadata"): ("Your own data, returned as sent.", {"foo": "bar"}),
    ("TransactionUpdateRequest", "amount"): ("The new amount, in whole units.", 100),
    ("TransactionCreateRequest", "amount"): ("Whole units to move.", 100),
    ("LoyaltyCurrencyConversionRequest", "amount"): (
        "The fiat amount to convert, as a decimal string.",
        "10.00",
    ),
    ("LoyaltyCurrencyConversionRequest", "loyalty_currency"): (
        "The loyalty currency to convert into.",
        "FOO",
    ),
    ("LoyaltyCurrencyConversionRequest", "fiat_currency"): ("The fiat currency, ISO 4217.", "USD"),
    ("PurchaseRuleSimulationRequest", "fiat_currency"): ("The purchase's currency.", "USD"),
    ("PurchaseRuleTriggerRequest", "fiat_currency"): ("The purchase's currency.", "USD"),
    ("PurchaseRuleExecutionRetriggerRequest", "fiat_currency"): ("The purchase's currency.", "USD"),
    ("ExecuteAction", "id"): ("The HTML field id.", "card_number"),
    ("ExecuteAction", "name"): ("The field's label.", "Loyalty Card number"),
    ("MemberLookupAction", "id"): ("The HTML field id.", "card_number"),
    ("MemberLookupAction", "name"): ("The field's label.", "Loyalty Card number"),
    ("GenericErrorItem", "field"): ("The request field at fault, or null.", "amount"),
    ("ActivityRuleReason", "code"): ("Why, as a code.", "activity"),
    ("ActivityRuleReason", "message"): ("Why, in words.", "Rewards another activity."),
    ("Reason", "code"): ("Why, as a code.", "tags"),
    ("Reason", "message"): ("Why, in words.", "No tag matches."),
    ("ActivityRuleIssued", "rule"): ("The rule.", {"id": "lr_abcr1234", "name": "Birthday bonus"}),
    ("ActivityRuleNotFired", "rule"): (
        "The rule.",
        {"id": "lr_abcr1234", "name": "Birthday bonus"},
    ),
    ("ActivityRuleTriggered", "rule"): ("The rule.", {"id": "lr_abcr1234", "name": "Birthday"}),
    ("PartnerDataListResponse", "field"): ("The custom data's name.", "codes"),
    ("GiftCard", "id"): ("The gift card's id.", "gcb_abc123"),
    ("GiftCard", "name"): ("The gift card's name.", "Example Shop gift card"),
    ("GiftCard", "type"): ("discount, fixed_value or other.", "fixed_value"),
    ("GiftCard", "description"): ("The card, as HTML.", "<p>Spend it in any shop.</p>"),
    ("GiftCardCode", "id"): ("The code's id.", "gcc_abc123"),
    ("ReportCustomGiftCard", "id"): ("The code's id.", "gcc_abc123"),
    ("ReportCustomGiftCard", "partner"): ("The partner that issued the code.", None),
    ("ReportCustomGiftCardBrand", "id"): ("The gift card's id.", "gcb_abc123"),
    ("ReportCustomGiftCardBrand", "name"): ("The gift card's name.", "Example Shop gift card"),
    ("ReportCustomGiftCardInventory", "id"): ("The gift card's id.", "gcb_abc123"),
    ("ReportCustomGiftCardInventory", "name"): ("The gift card's name.", "Example Shop"),
    ("ReportCustomGiftCardInventory", "denominations"): (
        'Codes per denomination ("open" for an open card\'s codes).',
        {"10.00": {"available": 5, "issued": 5, "total": 15, "unavailable": 5}},
    ),
    ("ReportCustomGiftCardPartner", "id"): ("The partner's id.", "part_abcd1234"),
    ("ReportCustomGiftCardPartnerLoyaltyCurrency", "id"): (
        "The loyalty currency's code.",
        "EXAMPLE_POINTS",
    ),
}


def field_doc(component: str, name: str) -> tuple[str, Any] | None:
    """The description and example of `name` in `component`, or None if neither table has it."""
    return BY_COMPONENT.get((component, name)) or FIELDS.get(name)
