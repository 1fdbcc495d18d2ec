from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from giftcards.models import CodeStatus, GiftCardCode
from giftcards.services.issuance import gift_card_issue
from loyalty.models import Account
from tests.giftcards.fixtures import load_codes


@pytest.fixture
def bought(currency, fixed_card, funded_member):
    load_codes(fixed_card, 1, pin="8642")
    return gift_card_issue(
        partner=currency.owner,
        gift_card_id=fixed_card.public_id,
        member=funded_member.loyalty_program_identifiers,
        fiat_amount=Decimal("10.00"),
    ).code


def staff(*codenames) -> User:
    user = User.objects.create_user("agent", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_codes_are_shown_only_with_the_dedicated_permission(client, bought):
    url = reverse("admin:giftcards_giftcardcode_change", args=[bought.pk])
    client.force_login(staff("view_giftcardcode"))
    page = client.get(url).content.decode()
    assert "CODE-000000" not in page and "8642" not in page
    User.objects.filter(username="agent").delete()
    client.force_login(staff("view_giftcardcode", "view_gift_card_secrets"))
    page = client.get(url).content.decode()
    assert "CODE-000000" in page and "8642" in page


def test_search_by_the_code_itself(admin_client, bought):
    listing = admin_client.get(
        reverse("admin:giftcards_giftcardcode_changelist"), {"q": "code000000"}
    )
    assert bought.public_id in listing.content.decode()


def test_void_action_refunds_through_the_service(admin_client, bought, member_acc, ledger_balances):
    response = admin_client.post(
        reverse("admin:giftcards_giftcardcode_changelist"),
        {"action": "void_codes", "_selected_action": [bought.pk]},
    )
    assert response.status_code == 302
    assert GiftCardCode.objects.get(pk=bought.pk).status == CodeStatus.CANCELLED
    assert Account.objects.get(pk=member_acc.pk).balance == 10_000
    ledger_balances()


def test_the_codes_list_exports_without_secrets(admin_client, bought):
    url = reverse("admin:giftcards_giftcardcode_export")
    page = admin_client.get(url)
    assert page.status_code == 200
    choices = page.context["form"].fields["format"].choices
    csv_format = next(value for value, label in choices if str(label).lower() == "csv")
    response = admin_client.post(url, {"format": csv_format, "resource": "0"})
    assert response.status_code == 200, response.content[:500]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert bought.public_id.encode() in body
    assert b"CODE-000000" not in body and b"8642" not in body
