"""The gift-card tile of the admin's front page (settings.DASHBOARD_TILES names it): each
denomination of our own inventory below its card's low-stock threshold, linking to the card's
stock and to its codes in stock."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from giftcards.models import CodeStatus
from giftcards.selectors import OPEN, gift_cards_below_low_stock
from loyalty.admin.dashboard import cell
from loyalty.admin.display import units


def low_stock_tile(request: HttpRequest) -> dict | None:
    """Cards, denominations, codes available against the threshold (three queries in all)."""
    if not request.user.has_perm("giftcards.view_giftcard"):
        return None
    low = gift_cards_below_low_stock()
    codes = reverse("admin:giftcards_giftcardcode_changelist")
    rows = []
    for entry in low:
        card, stock = entry.gift_card, entry.stock
        in_stock = urlencode(
            {"gift_card__id__exact": card.pk, "status__exact": CodeStatus.AVAILABLE}
        )
        denomination = "open value" if stock.key == OPEN else f"{stock.key} {card.fiat_currency}"
        rows.append(
            [
                cell(card.name, reverse("admin:giftcards_giftcard_change", args=[card.pk])),
                cell(denomination),
                cell(
                    units(stock.available),
                    f"{codes}?{in_stock}",
                    alert="none left" if stock.available == 0 else "low",
                ),
                cell(units(card.low_stock_threshold)),
            ]
        )
    cards = len({entry.gift_card.pk for entry in low})
    return {
        "title": "Gift cards low on stock",
        "value": units(len(low)),
        "detail": (
            f"denomination(s) of {units(cards)} card(s) below their low-stock threshold"
            if low
            else "every card has codes at or above its threshold"
        ),
        "link": reverse("admin:giftcards_giftcard_changelist"),
        "table": {
            "columns": ["Card", "Denomination", "Codes available", "Threshold"],
            "rows": rows,
            "empty": "No card below its low-stock threshold.",
        },
    }
