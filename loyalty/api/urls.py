from django.urls import path

from loyalty.api import (
    activity_rules,
    cohort_rules,
    cohorts,
    conversions,
    members,
    purchase_rules,
    transactions,
)

urlpatterns = [
    path("accruals/standard", transactions.AccrualStandardView.as_view()),
    path("loyalty-currencies/fiat-convert", conversions.FiatConvertView.as_view()),
    path("members", members.MembersView.as_view()),
    path("members/lookup", members.MemberLookupView.as_view()),
    path("members/transactions", transactions.MemberTransactionsView.as_view()),
    path("transactions", transactions.TransactionsView.as_view()),
    path("transactions/<str:id>", transactions.TransactionDetailView.as_view()),
    path("transactions/<str:id>/cancel", transactions.TransactionCancelView.as_view()),
]

urlpatterns += [
    path("accruals/activity-rules/simulate", activity_rules.ActivityRulesSimulateView.as_view()),
    path("accruals/activity-rules/trigger", activity_rules.ActivityRulesTriggerView.as_view()),
]

urlpatterns += [
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
]

urlpatterns += [
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
        cohort_rules.CohortActivitySimulateView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities/execute",
        cohort_rules.CohortActivityExecuteView.as_view(),
    ),
    path(
        "cohorts/<str:cohort_id>/loyalty-rules/activities/<str:rule_id>",
        cohorts.CohortActivityRuleView.as_view(),
    ),
    path(
        "loyalty-rules/<str:cohort_id>/purchases/simulate",
        cohort_rules.CohortPurchaseSimulateView.as_view(),
    ),
    path(
        "loyalty-rules/<str:cohort_id>/purchases/execute",
        cohort_rules.CohortPurchaseExecuteView.as_view(),
    ),
]
