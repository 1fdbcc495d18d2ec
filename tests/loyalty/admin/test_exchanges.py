"""Exchanges in the admin: exchange partnerships, the forwarding queue (attempts inline, the
health of each programme, "retry now" and "give up and refund"), linked accounts on the member's
page, and the programme connector whose API key is stored encrypted."""

import pytest
from django.urls import reverse

from loyalty.models import (
    ExchangePartnership,
    ForwardingRecord,
    ForwardingStatus,
    LinkedAccount,
    TransactionStatus,
)
from partners.connectors.delivery import deliver
from partners.models import ProgrammeConnector
from tests.loyalty.admin.helpers import messages_of, page, url
from tests.loyalty.services.exchange_fixtures import balance
from tests.partners.connectors.conftest import *  # noqa: F403


@pytest.fixture
def dead_record(exchange_to_avios, sandbox):
    sandbox.programme.switches.unavailable = True
    record = exchange_to_avios()
    ForwardingRecord.objects.filter(pk=record.pk).update(give_up_at=record.created_at)
    deliver(record.pk)
    sandbox.programme.switches.unavailable = False
    record.refresh_from_db()
    assert record.status == ForwardingStatus.DEAD
    return record


def test_the_queue_shows_health_and_filters_by_status(admin_client, dead_record):
    html = page(admin_client.get(url("forwardingrecord_changelist")))
    assert "Programme health" in html
    assert dead_record.reference in html
    assert dead_record.reference in page(
        admin_client.get(url("forwardingrecord_changelist"), {"status__exact": "dead"})
    )
    assert dead_record.reference not in page(
        admin_client.get(url("forwardingrecord_changelist"), {"status__exact": "confirmed"})
    )
    detail = page(admin_client.get(url("forwardingrecord_change", dead_record.pk)))
    assert "503" in detail  # the attempt, inline


def test_a_dead_record_retried_from_the_admin_is_credited(
    admin_client, dead_record, sandbox, ledger_balances
):
    response = admin_client.post(
        url("forwardingrecord_changelist"),
        {"action": "retry_now", "_selected_action": [dead_record.pk], "reason": ""},
    )
    assert response.status_code == 302
    assert any("sent again" in m for m in messages_of(response))
    deliver(dead_record.pk)
    dead_record.refresh_from_db()
    assert dead_record.status == ForwardingStatus.CONFIRMED
    assert len(sandbox.programme.credits) == 1
    ledger_balances()


def test_give_up_and_refund_needs_a_reason_and_refunds(
    admin_client, dead_record, rich_member, ledger_balances
):
    assert balance(rich_member) == 4000
    refused = admin_client.post(
        url("forwardingrecord_changelist"),
        {"action": "give_up_and_refund", "_selected_action": [dead_record.pk], "reason": ""},
    )
    assert refused.status_code == 302
    dead_record.refresh_from_db()
    assert dead_record.status == ForwardingStatus.DEAD
    admin_client.post(
        url("forwardingrecord_changelist"),
        {
            "action": "give_up_and_refund",
            "_selected_action": [dead_record.pk],
            "reason": "Member asked",
        },
    )
    dead_record.refresh_from_db()
    assert dead_record.status == ForwardingStatus.REJECTED
    assert dead_record.transaction.status == TransactionStatus.REJECTED
    assert "Member asked" in dead_record.transaction.status_message
    assert balance(rich_member) == 5000
    ledger_balances()


def test_linked_accounts_on_the_member_page(admin_client, rich_member, avios):
    LinkedAccount.objects.create(
        member=rich_member, loyalty_currency=avios, membership_number="3081470000000001"
    )
    html = page(admin_client.get(url("member_change", rich_member.pk)))
    assert "3081470000000001" in html


def test_staff_add_an_exchange_partnership(admin_client, currency, miles, airline):
    response = admin_client.post(
        url("exchangepartnership_add"),
        {
            "partner": airline.pk,
            "loyalty_currency": currency.pk,
            "partner_currency": miles.pk,
            "direction": "exchange_out",
            "enabled": "on",
            "conversion_ratio_per_unit": "0.5",
            "minimum_member_transaction_amount": "10",
            "maximum_member_transaction_amount": "",
            "execute_required_fields": '[{"id": "id", "name": "Number"}]',
        },
    )
    assert response.status_code == 302, response.content.decode()
    assert ExchangePartnership.objects.get().minimum_member_transaction_amount == 10


def test_the_connector_api_key_is_stored_encrypted_and_never_shown(admin_client, avios):
    response = admin_client.post(
        reverse("admin:partners_programmeconnector_add"),
        {
            "loyalty_currency": avios.pk,
            "kind": "avios",
            "base_url": "http://127.0.0.1:8100",
            "api_version": "v1",
            "programme_identifier": "ATRP",
            "external_source": "LOYB01",
            "connect_timeout": "3",
            "read_timeout": "10",
            "enabled": "on",
            "api_key": "topsecretkey000000000001",
        },
    )
    assert response.status_code == 302, response.content.decode()
    connector = ProgrammeConnector.objects.get()
    assert connector.api_key == "topsecretkey000000000001"
    assert "topsecretkey" not in connector.api_key_encrypted
    html = page(
        admin_client.get(reverse("admin:partners_programmeconnector_change", args=[connector.pk]))
    )
    assert "topsecretkey" not in html


def test_give_up_is_refused_while_an_attempt_is_in_flight(admin_client, exchange_to_avios):
    from loyalty.services.forwarding import forwarding_claim

    record = exchange_to_avios()
    forwarding_claim(record_id=record.pk)  # a worker is sending it
    response = admin_client.post(
        url("forwardingrecord_changelist"),
        {"action": "give_up_and_refund", "_selected_action": [record.pk], "reason": "Stop"},
    )
    assert any("being delivered" in m for m in messages_of(response))
    record.refresh_from_db()
    assert record.status == ForwardingStatus.QUEUED


def test_a_transaction_page_links_the_other_side_and_the_forwarding(admin_client, dead_record):
    origin = dead_record.exchange.origin_transaction
    html = page(admin_client.get(url("transaction_change", origin.pk)))
    assert dead_record.exchange.public_id in html
    assert dead_record.transaction.public_id in html
    assert dead_record.reference in html
