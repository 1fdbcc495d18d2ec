from django.urls import path

from loyalty.api import conversions, members, transactions

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
