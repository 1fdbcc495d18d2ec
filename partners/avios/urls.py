"""The inbound credit door's path, as the Avios contract writes it (from the site's root)."""

from django.urls import path

from partners.avios.door import credit_transaction_request

urlpatterns = [
    path(
        "<str:version>/programmes/<str:programme>/accounts/<str:account>/"
        "credit-transaction-requests",
        credit_transaction_request,
        name="avios-credit-door",
    ),
]
