"""The admin's front page: where a support agent starts (UNFOLD["DASHBOARD_CALLBACK"]).

A box to find a member, tiles that say whether the programme is alive, the usual shortcuts, the
latest ledger activity, and finance's view: liability now, units issued, redeemed and expired
per day over 90 days as charts (Chart.js from unfold's own static files; each series has its own
line style and point shape and its numbers in a table, so colour is never the only cue), and
partners near their credit limit. Every figure is one indexed or grouped query.

Tiles: each is a function of the request returning {"title", "value", "detail", "link"} (or
None to leave it out). The built-in ones are in TILES; another app adds its own by dotted path in
settings.DASHBOARD_TILES (this module imports no other app), e.g. the gift-card stock tile. A
tile may also carry
- "warning": a sentence shown under a warning icon and the word "Warning" (never colour alone),
  with "warning_link" where to act on it;
- "table": {"columns": [str], "rows": [[cell]], "empty": str}, each cell a dict from cell():
  its text, an optional link and whether it is an alert (bold, with an icon and a word).
A tile with a table gets a wide panel below the counts instead of a count card.
"""

import datetime as dt
import json
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.module_loading import import_string
from django.utils.timesince import timesince

from loyalty.admin.display import describe, member_side, units
from loyalty.admin.navigation import shortcuts
from loyalty.models import (
    Account,
    ForwardingStatus,
    LoyaltyCurrency,
    Member,
    MemberStatus,
    Partner,
    PendingRelease,
    Transaction,
)
from loyalty.reports.liability import daily_movements, liability_now
from loyalty.selectors import ProgrammeHealth, forwarding_health

RECENT = 10
ACTIVITY_DAYS = 7
CHART_DAYS = 90
CHART_CURRENCIES = 3  # the first hosted currencies get a chart each
NEAR_CREDIT_TENTHS = 8  # a partner account using 8/10 of its credit or more is listed
Tile = Callable[[HttpRequest], dict | None]


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
                "value": units(PendingRelease.objects.count()),
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
    extra = [tile for tile in (t(request) for t in tiles()) if tile]
    context["counts"] += [tile for tile in extra if "table" not in tile]
    context["panels"] = [tile for tile in extra if "table" in tile]
    if request.user.has_perm("loyalty.view_transaction"):
        context.update(
            liability=[_liability(item) for item in liability_now()],
            charts=_charts(now.date()),
            near_credit_limit=_near_credit_limit(),
            reports_url=reverse("admin:loyalty_loyaltycurrency_reports"),
        )
    return context


def active_members_tile(request: HttpRequest) -> dict:
    """Members with a transaction in the last 90 days (from their accounts' recent rows)."""
    since = timezone.now() - dt.timedelta(days=CHART_DAYS)
    recent = Transaction.objects.filter(created_at__gte=since)
    active = (
        Account.objects.filter(member__isnull=False)
        .filter(
            Q(pk__in=recent.values("origin_account_id"))
            | Q(pk__in=recent.values("destination_account_id"))
        )
        .count()
    )
    return {
        "title": f"Active members, last {CHART_DAYS} days",
        "value": units(active),
        "detail": "earned or spent at least once",
        "link": reverse("admin:loyalty_member_changelist"),
    }


def pending_queue_tile(request: HttpRequest) -> dict:
    """Pending units and the next release, from the release schedule (a row per pending
    transaction, far smaller than the transactions)."""
    pending = PendingRelease.objects.aggregate(
        units=Sum("amount"), next_release=Min("release_date")
    )
    next_release = pending["next_release"]
    return {
        "title": "Pending units",
        "value": units(pending["units"] or 0),
        "detail": (
            f"next release {next_release:%Y-%m-%d %H:%M} UTC" if next_release else "none waiting"
        ),
        "link": reverse("admin:loyalty_transaction_changelist") + "?status__exact=pending",
    }


def cell(text: object, link: str | None = None, *, alert: str = "") -> dict:
    """One cell of a tile's table; `alert` is the word that says what is wrong (e.g. "dead")."""
    return {"text": str(text), "link": link, "alert": alert}


def forwarding_tile(request: HttpRequest) -> dict | None:
    """The forwarding queue's health per partner programme (the queue page's own selector):
    queued, retrying and dead records, the last 24 hours' success rate and median latency, and
    the record waiting longest, each linking to the queue filtered to it; a warning if any is
    dead."""
    if not request.user.has_perm("loyalty.view_forwardingrecord"):
        return None
    now = timezone.now()
    health = forwarding_health(now=now)
    queue = reverse("admin:loyalty_forwardingrecord_changelist")
    waiting = sum(h.queue_depth for h in health)
    dead = [h for h in health if h.dead]
    total_dead = sum(h.dead for h in dead)
    tile = {
        "title": "Forwarding to partner programmes",
        "value": units(waiting),
        "detail": (
            f"waiting (queued or retrying), {units(total_dead)} dead"
            if health
            else "no partner programme yet"
        ),
        "link": queue,
        "table": {
            "columns": [
                "Programme",
                "Queued",
                "Retrying",
                "Dead",
                "Success rate (24 h)",
                "Median latency (24 h)",
                "Waiting longest",
            ],
            "rows": [_health_row(h, queue, now) for h in health],
            "empty": "No partner programme (external currency) yet.",
        },
    }
    if dead:
        where = ", ".join(f"{h.currency} {units(h.dead)}" for h in dead)
        tile["warning"] = (
            f"{units(total_dead)} forwarding record(s) dead ({where}): the members' points are "
            "held until staff retry them or give up and refund."
        )
        tile["warning_link"] = f"{queue}?{urlencode({'status__exact': ForwardingStatus.DEAD})}"
    return tile


def _health_row(health: ProgrammeHealth, queue: str, now: dt.datetime) -> list[dict]:
    def filtered(status: str | None = None) -> str:
        query = {"loyalty_currency__id__exact": health.currency_id}
        if status:
            query["status__exact"] = status
        return f"{queue}?{urlencode(query)}"

    rate = health.success_rate_24h
    latency = health.median_latency_ms_24h
    attempts = f"of {units(health.attempts_24h)} attempt(s)"
    oldest = cell("none waiting")
    if health.oldest_waiting_id is not None:
        since = health.oldest_waiting_since
        oldest = cell(
            f"{timesince(since, now)} (since {since:%Y-%m-%d %H:%M} UTC)",
            reverse("admin:loyalty_forwardingrecord_change", args=[health.oldest_waiting_id]),
        )
    return [
        cell(health.currency, filtered()),
        cell(units(health.queued), filtered(ForwardingStatus.QUEUED)),
        cell(units(health.retrying), filtered(ForwardingStatus.RETRYING)),
        cell(
            units(health.dead),
            filtered(ForwardingStatus.DEAD),
            alert="dead" if health.dead else "",
        ),
        cell(f"{rate * 100:.0f} % {attempts}" if rate is not None else "no attempt", filtered()),
        cell(f"{latency:,.0f} ms" if latency is not None else "no answer", filtered()),
        oldest,
    ]


TILES: list[Tile] = [active_members_tile, pending_queue_tile, forwarding_tile]


@cache
def _extra_tiles(paths: tuple[str, ...]) -> list[Tile]:
    return [import_string(path) for path in paths]


def tiles() -> list[Tile]:
    """The built-in tiles, then those of settings.DASHBOARD_TILES."""
    return TILES + _extra_tiles(tuple(getattr(settings, "DASHBOARD_TILES", ())))


def _liability(item) -> dict:
    return {
        "code": item.currency.code,
        "name": item.currency.name,
        "units": units(item.total),
        "members": units(item.members),
        "partners": units(item.partners),
        "fiat": f"{item.fiat:,.2f} {item.currency.fiat_currency}",
    }


# Line style and point shape per series, so the lines differ without colour.
_SERIES = (
    ("issued", "Issued", "var(--color-primary-600)", [], "circle"),
    ("redeemed", "Redeemed", "var(--color-base-500)", [6, 4], "rect"),
    ("expired", "Expired", "var(--color-red-600, #dc2626)", [2, 3], "triangle"),
)
_CHART_OPTIONS = json.dumps(
    {
        "responsive": True,
        "maintainAspectRatio": False,
        "animation": False,
        "plugins": {
            "legend": {"display": True, "position": "top", "labels": {"usePointStyle": True}},
            "tooltip": {"enabled": True, "mode": "index", "intersect": False},
        },
        "scales": {
            "x": {"ticks": {"maxTicksLimit": 9}},
            "y": {"beginAtZero": True, "title": {"display": True, "text": "units"}},
        },
    }
)


def _charts(today: dt.date) -> list[dict]:
    charts = []
    hosted = LoyaltyCurrency.objects.filter(is_hosted=True).order_by("code")[:CHART_CURRENCIES]
    for currency in hosted:
        series = daily_movements(loyalty_currency=currency, days=CHART_DAYS, today=today)
        labels = [f"{day:%m-%d}" for day in series.days]
        datasets = [
            {
                "label": label,
                "data": getattr(series, name),
                "borderColor": colour,
                "backgroundColor": colour,
                "borderDash": dash,
                "pointStyle": point,
                "pointRadius": 3,
                "borderWidth": 2,
                "fill": False,
            }
            for name, label, colour, dash, point in _SERIES
        ]
        totals = {name: sum(getattr(series, name)) for name, *_ in _SERIES}
        charts.append(
            {
                "code": currency.code,
                "name": currency.name,
                "data": json.dumps({"labels": labels, "datasets": datasets}),
                "options": _CHART_OPTIONS,
                "totals": {name: units(total) for name, total in totals.items()},
                "table": [
                    {
                        "day": day,
                        "issued": units(series.issued[i]),
                        "redeemed": units(series.redeemed[i]),
                        "expired": units(series.expired[i]),
                    }
                    for i, day in enumerate(series.days)
                    if series.issued[i] or series.redeemed[i] or series.expired[i]
                ],
            }
        )
    return charts


def _near_credit_limit() -> list[dict]:
    """Partner accounts (not the mints) using most of their credit, fullest first."""
    accounts = (
        Account.objects.filter(partner__isnull=False, credit_limit__gt=0)
        .alias(used_tenths=-F("balance") * 10, limit_tenths=F("credit_limit") * NEAR_CREDIT_TENTHS)
        .filter(used_tenths__gte=F("limit_tenths"))
        .select_related("partner", "loyalty_currency")
        .order_by("balance")[:10]
    )
    return [
        {
            "partner": account.partner.company_name,
            "currency": account.loyalty_currency.code,
            "used": units(-account.balance),
            "limit": units(account.credit_limit),
            "share": min(100, -account.balance * 100 // account.credit_limit),
            "description": f"{-account.balance * 100 // account.credit_limit} % of credit",
            "link": reverse("admin:loyalty_account_change", args=[account.pk]),
        }
        for account in accounts
    ]


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
