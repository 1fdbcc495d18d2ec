"""Finance pages of the admin: points expiring soon, and the liability, breakage and settlement
reports, each with its CSV (and XLSX) download. Thin: the figures come from loyalty.expiry and
loyalty.reports; these pages only read the form and lay the rows out.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from loyalty.admin.display import units
from loyalty.admin.widgets import UnfoldForm
from loyalty.expiry import members_expiring
from loyalty.models import ExpiryPolicy, LoyaltyCurrency
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
