"""Partner-side endpoints: partner lists and partner custom data."""

urlpatterns: list = []
