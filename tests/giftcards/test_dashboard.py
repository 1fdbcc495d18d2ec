"""The gift-card tile of the front page (giftcards.dashboard, named in settings.DASHBOARD_TILES):
each denomination below its card's low-stock threshold, linking to the card and its codes."""

from django.contrib.auth.models import Permission, User
from django.urls import reverse

from giftcards.models import GiftCard
from tests.giftcards.fixtures import load_codes

LOW_STOCK = "Gift cards low on stock"


def low_stock_panel(response) -> dict | None:
    panels = [p for p in response.context["panels"] if p["title"] == LOW_STOCK]
    return panels[0] if panels else None


def test_the_front_page_lists_denominations_below_the_threshold(admin_client, fixed_card):
    load_codes(fixed_card, 3, denomination="10.00")  # the threshold: not below
    load_codes(fixed_card, 1, denomination="5.00", prefix="FIVE")

    response = admin_client.get("/admin/")
    html = response.content.decode()
    panel = low_stock_panel(response)
    assert (panel["value"], panel["detail"]) == (
        "2",
        "denomination(s) of 1 card(s) below their low-stock threshold",
    )
    rows = [[c["text"] for c in row] for row in panel["table"]["rows"]]
    assert rows == [
        ["Example Shop gift card", "5.00 EUR", "1", "3"],
        ["Example Shop gift card", "25.00 EUR", "0", "3"],
    ]
    five, twenty_five = panel["table"]["rows"]
    # Not colour alone: the word says how bad it is.
    assert (five[2]["alert"], twenty_five[2]["alert"]) == ("low", "none left")
    assert "none left" in html and "Codes available" in html and "Threshold" in html

    card_page = reverse("admin:giftcards_giftcard_change", args=[fixed_card.pk])
    assert five[0]["link"] == card_page
    assert "gift-card-stock" in admin_client.get(card_page).content.decode()  # its stock table
    in_stock = admin_client.get(five[2]["link"]).context["cl"].queryset
    assert {code.denomination for code in in_stock} == {5, 10}
    assert {code.status for code in in_stock} == {"available"}
    assert {code.gift_card_id for code in in_stock} == {fixed_card.pk}


def test_an_open_card_and_the_empty_state(admin_client, open_card):
    panel = low_stock_panel(admin_client.get("/admin/"))
    assert [[c["text"] for c in row] for row in panel["table"]["rows"]] == [
        ["Example Shop open card", "open value", "0", "10"]
    ]

    load_codes(open_card, 10, denomination="")
    response = admin_client.get("/admin/")
    panel = low_stock_panel(response)
    assert panel["table"]["rows"] == [] and panel["value"] == "0"
    assert panel["detail"] == "every card has codes at or above its threshold"
    assert "No card below its low-stock threshold." in response.content.decode()


def test_disabled_cards_and_staff_without_the_right_see_none(db, admin_client, client, fixed_card):
    GiftCard.objects.filter(pk=fixed_card.pk).update(enabled=False)
    assert low_stock_panel(admin_client.get("/admin/"))["table"]["rows"] == []

    staff = User.objects.create_user("agent", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(staff)
    assert low_stock_panel(client.get("/admin/")) is None
