"""Every admin page on the demo data: each registered model's list, add page and the change pages
of a few of its rows, the admin's own pages (simulation, imports, credit or debit, one
transaction's operations) and the navigation's links, as the demo superuser. None may fail
with a server error: a 500 is what a support agent meets first on a screen nobody opened."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from loyalty.admin.navigation import NAVIGATION, SHORTCUTS, entry_url
from loyalty.models import Member, Transaction, TransactionStatus

ROWS_PER_MODEL = 3


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def rows(model) -> list:
    """A few rows of each kind: the oldest, the newest and one in between."""
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    return sorted({pks[0], pks[len(pks) // 2], pks[-1]}) if pks else []


def test_no_admin_page_fails_on_the_demo_data(demo, admin_client):
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        pages += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        for pk in rows(model):
            pages += [reverse(f"{name}_change", args=[pk]), reverse(f"{name}_history", args=[pk])]
    member = Member.objects.order_by("pk").first()
    pending = Transaction.objects.filter(status=TransactionStatus.PENDING).first()
    completed = Transaction.objects.filter(status=TransactionStatus.COMPLETED).first()
    pages += [
        reverse("admin:loyalty_member_adjust_balance", args=[member.pk]),
        reverse("admin:loyalty_transaction_release_one", args=[pending.pk]),
        reverse("admin:loyalty_transaction_cancel_one", args=[pending.pk]),
        reverse("admin:loyalty_transaction_reverse_one", args=[completed.pk]),
        reverse("admin:loyalty_transaction_changelist") + f"?member={member.public_id}",
        reverse("admin:loyalty_transaction_changelist") + f"?q={member.email}",
        reverse("admin:loyalty_member_changelist") + f"?q={member.last_name}",
    ]
    pages += [entry_url(entry) for _, entries in NAVIGATION for entry in entries]
    pages += [entry_url(entry) for entry in SHORTCUTS]

    failures = {}
    for page in dict.fromkeys(pages):
        status = admin_client.get(page).status_code
        if status != 200 and not (status == 403 and page.endswith("/add/")):
            failures[page] = status
    assert failures == {}
    assert len(pages) > 100
