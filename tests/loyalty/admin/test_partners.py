"""Partners in the admin (loyalty.admin.partners): their accounts on their page."""

from loyalty import ledger
from loyalty.models import TransactionType
from tests.loyalty.admin.helpers import url


def test_partner_page_lists_its_accounts_with_balances(admin_client, partner, partner_acc, mint):
    ledger.post(origin=mint, destination=partner_acc, amount=4_200, type=TransactionType.TRANSFER)
    page = admin_client.get(url("partner_change", partner.pk)).content.decode()
    assert partner_acc.public_id in page
    assert "4,200" in page
    assert "1,000" in page  # credit limit
    assert "EXAMPLE_POINTS" in page


def empty_inline(prefix: str) -> dict:
    """The management form of an inline the page shows with no rows."""
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "0",
    }


def test_editing_a_partner_keeps_its_accounts(admin_client, partner, partner_acc):
    response = admin_client.post(
        url("partner_change", partner.pk),
        {
            "company_name": "Example Airways",
            "api_identifier": partner.api_identifier,
            "status": "suspended",
            "logo": "",
            "api_rate_limit": "120",
            "accounts-TOTAL_FORMS": "1",
            "accounts-INITIAL_FORMS": "1",
            "accounts-MIN_NUM_FORMS": "0",
            "accounts-MAX_NUM_FORMS": "0",
            "accounts-0-id": partner_acc.pk,
            "accounts-0-partner": partner.pk,
            **empty_inline("partnerships"),
            **empty_inline("credentials"),
        },
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.company_name, partner.status) == ("Example Airways", "suspended")
    assert partner.api_rate_limit == 120
    assert partner.accounts.get() == partner_acc
