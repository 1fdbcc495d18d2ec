"""`manage.py release_due`: releases every due pending transaction and says how many."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.loyalty.helpers import hold_due, holdings


@pytest.mark.django_db
def test_the_release_due_command_prints_how_many_it_released(mint, member_acc, ledger_balances):
    now = timezone.now()
    for minutes in (90, 60, 30):
        hold_due(mint, member_acc, amount=minutes, release_date=now - dt.timedelta(minutes=minutes))
    hold_due(mint, member_acc, amount=1, release_date=now + dt.timedelta(hours=1))
    out = StringIO()

    call_command("release_due", "--batch-size", "2", stdout=out)

    assert out.getvalue() == "Released 3 pending transaction(s).\n"
    assert holdings(member_acc) == (180, 1)
    ledger_balances()
