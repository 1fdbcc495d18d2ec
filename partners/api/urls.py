"""Partner-side endpoints: partner lists and partner custom data."""

from django.urls import path

from partners.api import partners

urlpatterns = [
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
]
