"""The admin's navigation, grouped by the job a member of staff is doing, defined here only.

A support agent looks for members, a programme manager for earning rules, finance for accounts
and rates; Django's own app list (loyalty, partners, auth...) says nothing to any of them. Each
entry names a model by its "app_label.model_name" and, optionally, a fixed filter of its list:
like loyalty.urls this is the admin's wiring, so it names the other apps' models by strings and
imports nothing from them. Later screens add an entry to a group here (the front page's
shortcuts are here too); an entry whose model is not registered, or that the user may not view,
is left out. Models in no group stay reachable under "All applications".
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Entry:
    title: str
    icon: str  # a Material Symbols name, served with the admin's static files
    model: str  # "app_label.model_name"
    query: dict[str, str] = field(default_factory=dict)  # a filter of the model's list
    view: str = "changelist"


NAVIGATION: list[tuple[str, list[Entry]]] = [
    (
        "Members",
        [
            Entry("Members", "person_search", "loyalty.member"),
            Entry("Transactions", "receipt_long", "loyalty.transaction"),
        ],
    ),
    (
        "Earning",
        [
            Entry("Purchase rules", "shopping_cart", "loyalty.purchaserule"),
            Entry("Activity rules", "celebration", "loyalty.activityrule"),
            Entry("Rule awards", "military_tech", "loyalty.ruleaward"),
            Entry("Accruals", "add_card", "loyalty.transaction", {"type__exact": "accrual"}),
        ],
    ),
    (
        "Spending",
        [
            Entry(
                "Redemptions", "shopping_bag", "loyalty.transaction", {"type__exact": "redemption"}
            ),
            Entry("Redemption partnerships", "storefront", "loyalty.redemptionpartnership"),
            Entry("Exchanges", "currency_exchange", "loyalty.exchange"),
            Entry("Forwarding queue", "outbox", "loyalty.forwardingrecord"),
            Entry("Linked accounts", "link", "loyalty.linkedaccount"),
            Entry("Gift cards", "redeem", "giftcards.giftcard"),
            Entry("Gift card codes", "confirmation_number", "giftcards.giftcardcode"),
            Entry("Code imports", "upload_file", "giftcards.giftcardcodeimport"),
        ],
    ),
    (
        "Partners",
        [
            Entry("Partners", "handshake", "loyalty.partner"),
            Entry("Partnerships", "hub", "loyalty.partnership"),
            Entry("Exchange partnerships", "swap_horiz", "loyalty.exchangepartnership"),
            Entry("Programme connectors", "cable", "partners.programmeconnector"),
            Entry("API credentials", "key", "partners.partnercredential"),
            Entry("Cohorts", "groups", "loyalty.cohort"),
            Entry("Cohort changes", "manage_history", "loyalty.cohortchange"),
            Entry("Partner custom data", "dataset", "partners.partnercustomdata"),
            Entry("Idempotency records", "replay", "partners.idempotencyrecord"),
        ],
    ),
    (
        "Finance",
        [
            Entry("Accounts", "account_balance_wallet", "loyalty.account"),
            Entry(
                "Pending transactions",
                "schedule",
                "loyalty.transaction",
                {"status__exact": "pending"},
            ),
            Entry("Reversals", "undo", "loyalty.transaction", {"type__exact": "reversal"}),
            Entry("FX rates", "currency_exchange", "loyalty.fxrate"),
            Entry(
                "Liability and settlement",
                "account_balance",
                "loyalty.loyaltycurrency",
                view="reports",
            ),
            Entry("Exports", "download", "loyalty.export"),
            Entry("Points expiring soon", "hourglass_bottom", "loyalty.member", view="expiring"),
        ],
    ),
    (
        "Settings",
        [
            Entry("Loyalty currencies", "toll", "loyalty.loyaltycurrency"),
            Entry("Tiers", "workspace_premium", "loyalty.tier"),
            Entry("Staff users", "badge", "auth.user"),
            Entry("Staff groups", "shield_person", "auth.group"),
            Entry("Login lockouts", "lock_person", "axes.accessattempt"),
        ],
    ),
]

# The front page's shortcuts: the jobs a support agent starts from.
SHORTCUTS: list[Entry] = [
    Entry("Credit or debit a member", "add_circle", "loyalty.member"),
    Entry("Pending transactions", "schedule", "loyalty.transaction", {"status__exact": "pending"}),
    Entry("Simulate a purchase", "science", "loyalty.purchaserule", view="simulate"),
    Entry("Import FX rates", "upload_file", "loyalty.fxrate", view="import"),
    Entry("Create an API credential", "key", "partners.partnercredential", view="add"),
]


def entry_url(entry: Entry) -> str | None:
    """The entry's admin URL with its filter, or None if its model has no such admin page."""
    app_label, model_name = entry.model.split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_{entry.view}")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(entry.query)}" if entry.query else url


def can_view(request: HttpRequest, entry: Entry) -> bool:
    app_label, model_name = entry.model.split(".")
    user = request.user
    return user.has_perm(f"{app_label}.view_{model_name}") or user.has_perm(
        f"{app_label}.change_{model_name}"
    )


def _is_current(request: HttpRequest, url: str, entry: Entry) -> bool:
    """The page shows this entry's list: same path and the entry's filter (a filtered entry
    wins over its unfiltered sibling, which is current only without those filters)."""
    path = url.split("?")[0]
    if not request.path.startswith(path):
        return False
    return all(request.GET.get(name) == value for name, value in entry.query.items())


def sidebar_navigation(request: HttpRequest) -> list[dict]:
    """UNFOLD["SIDEBAR"]["navigation"]: the groups above as unfold wants them, per request."""
    groups, current = [], []
    for title, entries in NAVIGATION:
        items = []
        for entry in entries:
            url = entry_url(entry)
            if url is None or not can_view(request, entry):
                continue
            item = {"title": entry.title, "icon": entry.icon, "link": url, "active": False}
            if _is_current(request, url, entry):
                current.append((len(entry.query), item))
            items.append(item)
        if items:
            groups.append({"title": title, "separator": True, "collapsible": False, "items": items})
    # One entry is current: the most specific of those matching the page (Accruals rather than
    # Transactions on the list of accruals).
    if current:
        max(current, key=lambda pair: pair[0])[1]["active"] = True
    return groups


def shortcuts(request: HttpRequest) -> list[dict]:
    """The front page's shortcuts the user may follow."""
    result = []
    for entry in SHORTCUTS:
        url = entry_url(entry)
        if url is not None and can_view(request, entry):
            result.append({"title": entry.title, "icon": entry.icon, "link": url})
    return result
