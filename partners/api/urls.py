"""The partner API's paths, as the contract writes them (relative to /public/v3.0/), by tag."""

from django.urls import path, re_path

from partners.api import (
    accruals,
    activity_rules,
    cohorts,
    conversions,
    custom_gift_cards,
    exchanges,
    gift_cards,
    members,
    partners,
    purchase_rules,
    redemptions,
    reports,
    transactions,
)
from partners.api.handlers import not_found
from partners.api.schema import ApiIndexView, PublicDocsView, PublicSchemaView

urlpatterns = [
    # Where to start, the generated OpenAPI schema and its interactive docs
    path("", ApiIndexView.as_view(), name="api-index"),
    path("schema/", PublicSchemaView.as_view(), name="api-schema"),
    path("docs/", PublicDocsView.as_view(url_name="api-schema"), name="api-docs"),
    # Direct accruals
    path("accruals/standard", accruals.AccrualStandardView.as_view()),
    # Purchase rules
    path("accruals/purchase-rules/simulate", purchase_rules.PurchaseRuleSimulateView.as_view()),
    path("accruals/purchase-rules/trigger", purchase_rules.PurchaseRuleTriggerView.as_view()),
    path(
        "accruals/purchase-rules/executions/<str:id>",
        purchase_rules.PurchaseRuleExecutionView.as_view(),
    ),
    path(
        "accruals/purchase-rules/executions/<str:id>/cancel",
        purchase_rules.PurchaseRuleExecutionCancelView.as_view(),
    ),
    path(
        "accruals/purchase-rules/executions/<str:id>/retrigger",
        purchase_rules.PurchaseRuleExecutionRetriggerView.as_view(),
    ),
    # Activity rules
    path("accruals/activity-rules/simulate", activity_rules.ActivityRulesSimulateView.as_view()),
    path("accruals/activity-rules/trigger", activity_rules.ActivityRulesTriggerView.as_view()),
    # Exchanges
    path("exchanges/simulate", exchanges.ExchangeSimulateView.as_view()),
    path("exchanges/execute", exchanges.ExchangeExecuteView.as_view()),
    path("exchanges/linked-account-simulate", exchanges.LinkedAccountSimulateView.as_view()),
    path("exchanges/linked-account-execute", exchanges.LinkedAccountExecuteView.as_view()),
    # Standard redemptions
    path("redemptions/standard/simulate", redemptions.StandardRedemptionSimulateView.as_view()),
    path("redemptions/standard", redemptions.StandardRedemptionView.as_view()),
    path("redemptions/standard/adjust", redemptions.StandardRedemptionAdjustView.as_view()),
    path("redemptions/standard/cancel", redemptions.StandardRedemptionCancelView.as_view()),
    # Members
    path("members", members.MembersView.as_view()),
    path("members/lookup", members.MemberLookupView.as_view()),
    # Conversions
    path("loyalty-currencies/fiat-convert", conversions.FiatConvertView.as_view()),
    # Gift cards: the literal paths come before .../gift-cards/<id>, which would take them
    path("redemptions/gift-cards", gift_cards.GiftCardListView.as_view()),
    path("redemptions/gift-cards/codes", gift_cards.GiftCardCodeView.as_view()),
    path(
        "redemptions/gift-cards/custom/validate",
        custom_gift_cards.CustomCodeValidateView.as_view(),
    ),
    path("redemptions/gift-cards/custom/redeem", custom_gift_cards.CustomCodeRedeemView.as_view()),
    path("redemptions/gift-cards/custom/cancel", custom_gift_cards.CustomCodeCancelView.as_view()),
    path("redemptions/gift-cards/<str:id>", gift_cards.GiftCardDetailView.as_view()),
    path("redemptions/gift-cards/<str:id>/simulate", gift_cards.GiftCardSimulateView.as_view()),
    path("redemptions/gift-cards/<str:id>/issue", gift_cards.GiftCardIssueView.as_view()),
    path(
        "redemptions/gift-cards/<str:id>/direct-issue",
        gift_cards.GiftCardDirectIssueView.as_view(),
    ),
    # Exchange report (text/csv)
    path("reports/exchanges", reports.ExchangeReportView.as_view()),
    # Custom gift card reports
    path("reports/gift-cards/custom", reports.IssuedCodesReportView.as_view()),
    path("reports/gift-cards/custom/inventory", reports.InventoryListView.as_view()),
    path("reports/gift-cards/custom/<str:id>/inventory", reports.InventoryDetailView.as_view()),
    # Transactions
    path("members/transactions", transactions.MemberTransactionsView.as_view()),
    path("transactions", transactions.TransactionsView.as_view()),
    path("transactions/<str:id>", transactions.TransactionDetailView.as_view()),
    path("transactions/<str:id>/cancel", transactions.TransactionCancelView.as_view()),
    # Partners
    path("partners", partners.AllPartnersView.as_view()),
    path("partners/exchange-in", partners.ExchangeInPartnersView.as_view()),
    path("partners/exchange-out", partners.ExchangeOutPartnersView.as_view()),
    path("partners/issuing", partners.IssuingPartnersView.as_view()),
    path("partners/redemption", partners.RedemptionPartnersView.as_view()),
    path(
        "partners/currency-owners-for-redemption",
        partners.RedemptionCurrencyOwnersView.as_view(),
    ),
    path(
        "partners/currency-owners-for-issuance",
        partners.IssuanceCurrencyOwnersView.as_view(),
    ),
    # The contract writes it /partners/<api_identifier>/data/<field_name> (angle brackets).
    path(
        "partners/<str:api_identifier>/data/<str:field_name>",
        partners.PartnerCustomDataView.as_view(),
    ),
    # Cohorts, their accounts, rule switches and rule runs
    path("cohorts", cohorts.CohortsView.as_view()),
    path("cohorts/<str:cohort_id>", cohorts.CohortDetailView.as_view()),
    path("cohorts/<str:cohort_id>/accounts", cohorts.CohortAccountsView.as_view()),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/purchases",
        cohorts.CohortPurchaseRulesView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/purchases/<str:rule_id>",
        cohorts.CohortPurchaseRuleView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities",
        cohorts.CohortActivityRulesView.as_view(),
    ),
    # The literal simulate and execute paths come before .../activities/<rule_id>, which
    # would otherwise take "simulate" for a rule id.
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities/simulate",
        cohorts.CohortActivitySimulateView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities/execute",
        cohorts.CohortActivityExecuteView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities/<str:rule_id>",
        cohorts.CohortActivityRuleView.as_view(),
    ),
    path(
        "loyalty-rules/<str:cohort_id>/purchases/simulate",
        cohorts.CohortPurchaseSimulateView.as_view(),
    ),
    path(
        "loyalty-rules/<str:cohort_id>/purchases/execute",
        cohorts.CohortPurchaseExecuteView.as_view(),
    ),
    # Anything else under the API answers a JSON 404, not Django's HTML page.
    re_path(r"^.*$", not_found),
]
