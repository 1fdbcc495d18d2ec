from django.urls import path

from loyalty.api import activity_rules, conversions, members, purchase_rules, transactions

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
]
