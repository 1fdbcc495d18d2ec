"""The Celery tasks (loyalty.tasks): the tier recompute, and the release sweep on a Redis worker."""

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from loyalty import celery_app
from loyalty.models import Transaction, TransactionStatus
from loyalty.tasks import recompute_tiers, release_due_transactions
from tests.factories import LoyaltyCurrencyFactory, MemberFactory, TierFactory
from tests.loyalty.helpers import accrue, hold_due, holdings, tier_of, wait_for


def test_task_recomputes_hosted_currencies_only(tiers, currency, member_acc):
    accrue(member_acc, 1_000, at=timezone.now())
    external = LoyaltyCurrencyFactory(is_hosted=False)
    TierFactory(loyalty_currency=external)
    external_member = MemberFactory(loyalty_currency=external)

    assert recompute_tiers.apply().get() == 1
    assert tier_of(member_acc.member).code == "gold"
    assert tier_of(external_member) is None


@pytest.fixture
def own_celery_queue() -> Iterator[str]:
    """Send and consume the project's tasks on a queue of this test's own, then delete it.

    The Redis database may be shared with other test runs, whose workers would otherwise take
    this test's task (and run it against their own database), or hand theirs to this worker.
    """
    default_queue = celery_app.conf.task_default_queue
    queue = f"test-release-due-{uuid.uuid4().hex}"
    celery_app.conf.task_default_queue = queue
    del celery_app.amqp  # rebuilt from the configuration on next use
    try:
        yield queue
    finally:
        with celery_app.connection_for_write() as broker:
            bound = celery_app.amqp.queues[queue].bind(broker.default_channel)
            bound.declare()  # a channel deletes only the bindings it knows of
            bound.delete()
        celery_app.conf.task_default_queue = default_queue
        del celery_app.amqp


@pytest.mark.django_db(transaction=True)
def test_the_celery_task_releases_due_transactions_through_a_redis_worker(
    own_celery_queue, mint, member_acc, ledger_balances
):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    due = hold_due(
        mint, member_acc, amount=70, release_date=timezone.now() - dt.timedelta(minutes=1)
    )
    later = hold_due(
        mint, member_acc, amount=5, release_date=timezone.now() + dt.timedelta(hours=1)
    )

    # No result backend is configured, so the worker's ping check cannot run.
    with start_worker(celery_app, perform_ping_check=False, shutdown_timeout=30):
        release_due_transactions.delay()
        wait_for(
            lambda: Transaction.objects.get(pk=due.pk).status == TransactionStatus.COMPLETED,
            timeout=30,
            what="the worker to release the due transaction",
        )

    assert Transaction.objects.get(pk=later.pk).status == TransactionStatus.PENDING
    assert holdings(member_acc) == (70, 5)
    ledger_balances()
