"""The sandbox programme served on a local port, and AVIOS's connector pointing at it."""

import pytest

from loyalty.services.exchanges import exchange_execute
from partners.sandbox.programme import DEMO_API_KEY, DEMO_SOURCE, RunningSandbox
from partners.services.connectors import connector_set
from tests.loyalty.services.exchange_fixtures import *  # noqa: F403
from tests.partners.api.conftest import owner_client  # noqa: F401


@pytest.fixture
def sandbox():
    running = RunningSandbox().start()
    running.programme.silence_seconds = 1.0
    yield running
    running.stop()


@pytest.fixture
def connector(avios, sandbox):
    return connector_set(
        loyalty_currency=avios,
        base_url=sandbox.url,
        api_key=DEMO_API_KEY,
        programme_identifier="ATRP",
        external_source=DEMO_SOURCE,
        connect_timeout=0.2,
        read_timeout=0.4,
    )


@pytest.fixture
def exchange_to_avios(currency, to_avios, rich_member, connector):
    """Exchange `amount` of the rich member's points to a sandbox account; the record."""

    def run(amount=1000, account="3081470000000001", family_name="Andersen"):
        done = exchange_execute(
            partner=currency.owner,
            amount=amount,
            origin_loyalty_currency="EXAMPLE_POINTS",
            destination_loyalty_currency="AVIOS",
            origin_member=rich_member.loyalty_program_identifiers,
            destination_member={"id": account, "family_name": family_name},
        )
        return done.forwarding

    return run
