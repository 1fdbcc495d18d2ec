"""The admin's front page: where a support agent starts (UNFOLD["DASHBOARD_CALLBACK"]).

A box to find a member, a few counts that say whether the programme is alive, the usual
shortcuts, and the latest ledger activity. Every figure is one indexed query (the ledger is the
largest table: only the last days and the pending rows are counted). The finance charts join
this page with the finance reports.
"""

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from loyalty.admin.display import describe, member_side, units
from loyalty.admin.navigation import shortcuts
from loyalty.models import (
    Account,
    LoyaltyCurrency,
    Member,
    MemberStatus,
    Partner,
    Transaction,
    TransactionStatus,
)

RECENT = 10
ACTIVITY_DAYS = 7


def dashboard_context(request: HttpRequest, context: dict) -> dict:
    if not request.user.has_perm("loyalty.view_member"):
        return context
    now = timezone.now()
    since = now - dt.timedelta(days=ACTIVITY_DAYS)
    members = Member.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=MemberStatus.ACTIVE))
    )
    context.update(
        member_search_url=reverse("admin:loyalty_member_changelist"),
        counts=[
            {
                "title": "Members",
                "value": units(members["total"]),
                "detail": f"{units(members['active'])} active",
                "link": reverse("admin:loyalty_member_changelist"),
            },
            {
                "title": f"Transactions, last {ACTIVITY_DAYS} days",
                "value": units(Transaction.objects.filter(created_at__gte=since).count()),
                "detail": "accruals, redemptions, corrections",
                "link": reverse("admin:loyalty_transaction_changelist")
                + f"?created_at__from={since.date():%Y-%m-%d}",
            },
            {
                "title": "Pending transactions",
                "value": units(
                    Transaction.objects.filter(status=TransactionStatus.PENDING).count()
                ),
                "detail": "released when their date passes",
                "link": reverse("admin:loyalty_transaction_changelist") + "?status__exact=pending",
            },
            {
                "title": "Partners",
                "value": units(Partner.objects.count()),
                "detail": "issuing, redeeming, exchanging",
                "link": reverse("admin:loyalty_partner_changelist"),
            },
        ],
        outstanding=_outstanding(),
        shortcuts=shortcuts(request),
        recent=_recent(),
    )
    return context


def _outstanding() -> list[dict]:
    """Units held by members and partners, per hosted currency (minus the mint's balance)."""
    mint_balance = Account.objects.filter(
        partner=OuterRef("owner"), loyalty_currency=OuterRef("pk"), is_default=True
    ).values("balance")[:1]
    currencies = LoyaltyCurrency.objects.filter(is_hosted=True).annotate(
        mint_balance=Subquery(mint_balance)
    )
    return [
        {
            "code": currency.code,
            "name": currency.name,
            "units": units(-(currency.mint_balance or 0)),
        }
        for currency in currencies
    ]


def _recent() -> list[dict]:
    transactions = Transaction.objects.select_related(
        "loyalty_currency",
        "origin_account__member",
        "origin_account__partner",
        "destination_account__member",
        "destination_account__partner",
        "reverses",
    ).order_by("-created_at", "-id")[:RECENT]
    rows = []
    for tx in transactions:
        side = member_side(tx)
        rows.append(
            {
                "transaction": tx,
                "link": reverse("admin:loyalty_transaction_change", args=[tx.pk]),
                "what": describe(tx),
                "who": side.name,
                "amount": side.signed_amount,
                "incoming": side.incoming,
            }
        )
    return rows
