"""Finance pages of the admin: points expiring soon, and the liability, breakage and settlement
reports, each with its CSV (and XLSX) download. Thin: the figures come from loyalty.expiry and
loyalty.reports; these pages only read the form and lay the rows out.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from loyalty.admin.display import units
from loyalty.admin.widgets import UnfoldForm
from loyalty.expiry import members_expiring
from loyalty.models import ExpiryPolicy, LoyaltyCurrency
from loyalty.reports.exchanges import HEADER as EXCHANGE_REPORT_HEADER
from loyalty.reports.exchanges import exchange_report_lines
from loyalty.reports.liability import (
    MOVEMENTS,
    CurrencyLiability,
    liability_report,
    liability_rows,
    settlement_report,
    settlement_rows,
)
from loyalty.reports.spreadsheet import xlsx_response
from loyalty.reports.streaming import csv_response

PAGE_ROWS = 200


def _hosted_currencies():
    return LoyaltyCurrency.objects.filter(is_hosted=True).order_by("code")


class ExpiringForm(UnfoldForm):
    loyalty_currency = forms.ModelChoiceField(
        queryset=LoyaltyCurrency.objects.none(), empty_label=None, label="Currency"
    )
    days = forms.IntegerField(
        min_value=1,
        max_value=3660,
        initial=30,
        label="Expiring within (days)",
        help_text="Members with points that expire within this many days, unless they spend them.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        currencies = _hosted_currencies().exclude(expiry_policy=ExpiryPolicy.NEVER)
        self.fields["loyalty_currency"].queryset = currencies
        self.fields["loyalty_currency"].widget.choices = self.fields["loyalty_currency"].choices


EXPIRING_HEADER = ["membership_id", "name", "email", "expiring", "balance", "expires_within_days"]


def expiring_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Members whose points expire soon (GET loyalty_currency, days; format=csv downloads)."""
    data = request.GET if "loyalty_currency" in request.GET else None
    form = ExpiringForm(data, initial={"days": 30})
    rows, currency, days = [], None, None
    if form.is_valid():
        currency, days = form.cleaned_data["loyalty_currency"], form.cleaned_data["days"]
        rows = members_expiring(loyalty_currency=currency, days=days, now=timezone.now())
        if request.GET.get("format") == "csv":
            return csv_response(
                f"expiring-{currency.code}-{days}d-{timezone.now():%Y-%m-%d}.csv",
                EXPIRING_HEADER,
                ([r.membership_id, r.name, r.email, r.expiring, r.balance, days] for r in rows),
            )
    query = request.GET.copy()
    query["format"] = "csv"
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Points expiring soon",
        "opts": model_admin.opts,
        "form": form,
        "currency": currency,
        "days": days,
        "rows": [
            {
                "row": row,
                "link": reverse("admin:loyalty_member_change", args=[row.member_id]),
                "expiring": units(row.expiring),
                "balance": units(row.balance),
            }
            for row in rows[:PAGE_ROWS]
        ],
        "total_rows": len(rows),
        "total_units": units(sum(row.expiring for row in rows)),
        "page_rows": PAGE_ROWS,
        "csv_url": f"?{query.urlencode()}" if currency else None,
        "no_policy": not form.fields["loyalty_currency"].queryset.exists(),
    }
    return TemplateResponse(request, "admin/loyalty/member/expiring.html", context)


def expiry_lots(schedule) -> list[dict]:
    """A member's expiry schedule as the member page shows it."""
    today = dt.date.today()
    return [
        {
            "last_day": lot.last_day,
            "amount": units(lot.amount),
            "days_left": (lot.last_day - today).days,
        }
        for lot in schedule
    ]


# Liability, breakage and settlement -------------------------------------------------------


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_of_this = today.replace(day=1)
    last = first_of_this - dt.timedelta(days=1)
    return last.replace(day=1), last


class ReportPeriodForm(UnfoldForm):
    start = forms.DateField(label="From (UTC day)", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label="To, included (UTC day)", widget=forms.DateInput(attrs={"type": "date"})
    )
    loyalty_currency = forms.ModelChoiceField(
        queryset=LoyaltyCurrency.objects.none(),
        required=False,
        empty_label="Every hosted currency",
        label="Currency",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loyalty_currency"].queryset = _hosted_currencies()
        self.fields["loyalty_currency"].widget.choices = self.fields["loyalty_currency"].choices

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError("The period ends before it starts.")
        return data

    def period(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: the end day is included."""
        start = dt.datetime.combine(self.cleaned_data["start"], dt.time(), tzinfo=dt.UTC)
        end = dt.datetime.combine(self.cleaned_data["end"], dt.time(), tzinfo=dt.UTC)
        return start, end + dt.timedelta(days=1)


def _money(amount) -> str:
    return f"{amount:,.2f}"


def _rate(rate) -> str:
    return "-" if rate is None else f"{rate * 100:.2f} %"


def reports_view(model_admin, request: HttpRequest) -> HttpResponse:
    """Liability, breakage and partner settlement for a period; format=csv (with report=
    liability or settlement) or format=xlsx downloads them."""
    first, last = last_month(timezone.now().date())
    data = request.GET if "start" in request.GET else {"start": first, "end": last}
    form = ReportPeriodForm(data)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Liability, breakage and settlement",
        "opts": model_admin.opts,
        "form": form,
        "movements": MOVEMENTS,
    }
    if form.is_valid():
        start, end = form.period()
        currency = form.cleaned_data["loyalty_currency"]
        name = f"{(currency.code if currency else 'all').lower()}-{start:%Y%m%d}-{end:%Y%m%d}"
        fmt = request.GET.get("format")
        if fmt == "csv" and request.GET.get("report") == "exchanges":
            # The partner API's exchange report, for every partner, streamed as it is read.
            lines = exchange_report_lines(
                start=start,
                end=end - dt.timedelta(microseconds=1),
                loyalty_currency_id=currency.pk if currency else None,
            )
            return csv_response(f"exchanges-{name}.csv", EXCHANGE_REPORT_HEADER, lines=lines)
        liability = liability_report(start=start, end=end, loyalty_currency=currency)
        settlement = settlement_report(start=start, end=end, loyalty_currency=currency)
        if fmt == "csv" and request.GET.get("report") == "settlement":
            header, rows = settlement_rows(settlement)
            return csv_response(f"settlement-{name}.csv", header, rows)
        if fmt == "csv":
            header, rows = liability_rows(liability)
            return csv_response(f"liability-{name}.csv", header, rows)
        if fmt == "xlsx":
            return xlsx_response(
                f"finance-{name}.xlsx",
                [
                    ("Liability", *liability_rows(liability)),
                    ("Settlement", *settlement_rows(settlement)),
                ],
            )
        query = request.GET.copy() if "start" in request.GET else QueryDict(mutable=True)
        if "start" not in query:
            query.update({"start": f"{first}", "end": f"{last}"})
        context.update(
            liability=[_liability_card(item) for item in liability],
            settlement=[
                {
                    "item": item,
                    "issued": units(item.issued),
                    "redeemed": units(item.redeemed),
                    "exchanged_in": units(item.exchanged_in),
                    "exchanged_out": units(item.exchanged_out),
                    "issued_fiat": _money(item.issued_fiat),
                    "redeemed_fiat": _money(item.redeemed_fiat),
                    "partner_owes": _money(item.partner_owes),
                }
                for item in settlement
            ],
            downloads={
                "liability_csv": _with(query, format="csv", report="liability"),
                "settlement_csv": _with(query, format="csv", report="settlement"),
                "xlsx": _with(query, format="xlsx"),
                "exchanges_csv": _with(query, format="csv", report="exchanges"),
            },
        )
    return TemplateResponse(request, "admin/loyalty/loyaltycurrency/reports.html", context)


def _with(query: QueryDict, **params) -> str:
    query = query.copy()
    for key, value in params.items():
        query[key] = value
    return f"?{query.urlencode()}"


def _liability_card(item: CurrencyLiability) -> dict:
    lines = []
    for title, figures in (
        ("Members", item.members),
        ("Partners", item.partners),
        ("Total", item.total),
    ):
        amounts = [figures.opening, *(figures.movements[m] for m in MOVEMENTS), figures.closing]
        lines.append(
            {
                "title": title,
                "units": [units(a) for a in amounts],
                "fiat": [_money(item.fiat(a)) for a in amounts],
            }
        )
    return {
        "item": item,
        "lines": lines,
        "breakage": _rate(item.breakage_rate),
        "redemption": _rate(item.redemption_rate),
    }
