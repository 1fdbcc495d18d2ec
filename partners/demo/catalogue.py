"""What the demo programme is made of: fixed data, identical on every machine.

EXAMPLE_POINTS is owned by Example Rewards; Example Air issues points on flights (and its own
miles programme exchanges with them), Example Hotels issues points on stays and takes them as
payment. Tier thresholds are points earned in the last 365 days, so the recompute after the
history places frequent flyers in Gold. Rules fire on the tags the partners send ("flight",
"hotel") and on activities ("signup", "birthday", "review").
"""

from dataclasses import dataclass, field
from decimal import Decimal

CURRENCY_CODE = "EXAMPLE_POINTS"
OWNER = {"api_identifier": "example-rewards", "company_name": "Example Rewards"}
CURRENCY = {
    "name": "Example Points",
    "fiat_currency": "EUR",
    "base_economic_value": Decimal("0.0060"),
    "issuing_partners_cost": Decimal("0.0100"),
    "customers_perceived_value": Decimal("0.0125"),
    # Points expire at the end of the month a year after they were earned: none has yet (the
    # history is shorter), and Points expiring soon lists who loses what in the coming months.
    "expiry_policy": "months",
    "expiry_period": 12,
    "expiry_rounding": "end_of_month",
}
MEMBER_COUNT = 50
FIRST_MEMBERSHIP_NUMBER = 100001
# Fixed seeds: the same names, habits and amounts on every machine.
MEMBERS_SEED = 20240601
HISTORY_SEED = 20240602
HISTORY_DAYS = 210  # how far back the first member joined


@dataclass(frozen=True)
class PartnerSpec:
    api_identifier: str
    company_name: str
    credit_limit: int  # of its default account in EXAMPLE_POINTS
    kinds: tuple[str, ...]  # its partnerships with EXAMPLE_POINTS (the owner's side)


# Example Air's exchanges (its miles with the points, both ways) are exchange partnerships
# (partners/demo/exchanges.py), not partnerships of this list.
AIR = PartnerSpec("example-air", "Example Air", 2_000_000, ("issuing",))
HOTELS = PartnerSpec("example-hotels", "Example Hotels", 0, ("issuing", "redemption"))
# Example Shop is a retailer: its gift cards are sold for EXAMPLE_POINTS (a redemption
# partnership) and it validates and redeems their codes at its tills.
SHOP = PartnerSpec("example-shop", "Example Shop", 0, ("redemption",))
PARTNERS = (AIR, HOTELS, SHOP)
# Example Hotels takes points as payment for stays and in general, and lets its redemptions be
# adjusted and cancelled. category -> (price type, custom value of a point in EUR or None);
# Gold members' points are worth more on stays (fewer points a night).
HOTELS_REDEMPTION_PRICES = {
    "hotel": ("customers_perceived_value", None),
    "general": ("customers_perceived_value", None),
}
HOTELS_REDEMPTION_TIER_PRICES = {("hotel", "gold"): Decimal("0.0150")}
HOTELS_REDEMPTION_MINIMUM = 100
# Example Hotels has no credit: it buys this many units from the mint before it awards any.
HOTELS_PURCHASE = 400_000
COHORT_NAME = "Example Rewards Students"

# (code, name, level, threshold: points earned in the tier window)
TIERS = (
    ("bronze", "Bronze", 1, 0),
    ("silver", "Silver", 2, 2_000),
    ("gold", "Gold", 3, 6_000),
)


@dataclass(frozen=True)
class PurchaseRuleSpec:
    name: str
    reason: str
    tags: list[str]
    points_per_unit: Decimal = Decimal(0)
    fixed_bonus: int = 0
    is_bonus: bool = False
    weekend_only: bool = False
    # Days before the first run: the promotion's window, in the past.
    valid_days_ago: tuple[int, int] | None = None
    tier_multipliers: dict[str, Decimal] = field(default_factory=dict)
    max_points_per_member: int | None = None
    member_cap_period: str | None = None


PURCHASE_RULES = (
    PurchaseRuleSpec(
        "Flights: 2 points per euro",
        "Flight",
        ["flight"],
        points_per_unit=Decimal(2),
        tier_multipliers={"silver": Decimal("1.25"), "gold": Decimal("1.5")},
    ),
    PurchaseRuleSpec("Hotel stays: 1 point per euro", "Hotel stay", ["hotel"], Decimal(1)),
    PurchaseRuleSpec(
        "Summer weekend stays: 300 bonus points",
        "Summer weekend bonus",
        ["hotel"],
        fixed_bonus=300,
        is_bonus=True,
        weekend_only=True,
        valid_days_ago=(150, 60),
        max_points_per_member=900,
        member_cap_period="month",
    ),
)


@dataclass(frozen=True)
class ActivityRuleSpec:
    name: str
    activity: str
    points: int
    reason: str
    once_per_member: bool = False
    max_per_member: int | None = None
    limit_period: str | None = None


ACTIVITY_RULES = (
    ActivityRuleSpec("Welcome bonus", "signup", 500, "Welcome bonus", once_per_member=True),
    ActivityRuleSpec(
        "Birthday bonus", "birthday", 250, "Happy birthday", max_per_member=1, limit_period="year"
    ),
    ActivityRuleSpec(
        "Hotel review",
        "review",
        50,
        "Thanks for your review",
        max_per_member=3,
        limit_period="month",
    ),
)

# Mid-day rates of one euro, published on business days (EUR/USD and EUR/GBP).
FX_RATES = {"USD": Decimal("1.0800"), "GBP": Decimal("0.8550")}
FX_SOURCE = "Demo rates"

FIRST_NAMES = (
    "Ada", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Kai", "Lena", "Mateo", "Nora", "Omar", "Paula", "Quentin", "Rosa", "Sven", "Tara",
)  # fmt: skip
LAST_NAMES = (
    "Andersen", "Bianchi", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Horvath",
    "Ivanova", "Jensen", "Kowalski", "Lopes", "Moreau", "Novak", "Okafor", "Petrov",
)  # fmt: skip
COUNTRIES = ("DEU", "ESP", "FRA", "GBR", "IRL", "ITA", "NLD", "PRT")
ROUTES = ("LHR-JFK", "CDG-LIS", "FRA-MAD", "AMS-DUB", "MXP-BCN", "LIS-GVA", "MAD-ATH")
CITIES = ("Lisbon", "Paris", "Berlin", "Dublin", "Rome", "Madrid", "Amsterdam")


@dataclass(frozen=True)
class GiftCardSpec:
    name: str
    denomination_type: str
    denominations: tuple[Decimal, ...] = ()
    minimum_value: Decimal | None = None
    maximum_value: Decimal | None = None
    codes_per_denomination: int = 20


GIFT_CARDS = (
    GiftCardSpec(
        "Example Shop gift card",
        "fixed",
        denominations=(Decimal("5.00"), Decimal("10.00"), Decimal("25.00")),
        codes_per_denomination=20,
    ),
    GiftCardSpec(
        "Example Shop open gift card",
        "open",
        minimum_value=Decimal("5.00"),
        maximum_value=Decimal("200.00"),
        codes_per_denomination=15,
    ),
)
GIFT_CARD_LOW_STOCK = 10
