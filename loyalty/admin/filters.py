"""Changelist filters written for the ledger: a from/to date range and "transactions of ..."."""

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q, QuerySet
from django.utils import timezone

from loyalty.models import Account, Member, Tier


class DateRangeForm(forms.Form):
    """The two ends of a date range, both optional and both inclusive."""

    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("The start date is after the end date.")
        return cleaned


class DateRangeFilter(admin.FieldListFilter):
    """Filter a date-time field between two dates typed by hand.

    Use it as `("created_at", DateRangeFilter)` in list_filter. Both days are included and read
    in the site's time zone. Adds `<field>__from` and `<field>__to` (YYYY-MM-DD) to the query
    string; a bad date sends the admin's usual "incorrect lookup" error.
    """

    template = "admin/loyalty/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.parameter_from = f"{field_path}__from"
        self.parameter_to = f"{field_path}__to"
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self) -> list[str]:
        return [self.parameter_from, self.parameter_to]

    def _value(self, parameter: str) -> str:
        values = self.used_parameters.get(parameter) or [""]
        return values[-1]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        form = DateRangeForm(
            {"since": self._value(self.parameter_from), "until": self._value(self.parameter_to)}
        )
        if not form.is_valid():
            raise IncorrectLookupParameters(form.errors.as_text())
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        if since:
            queryset = queryset.filter(**{f"{self.field_path}__gte": _start_of(since)})
        if until:
            next_day = until + dt.timedelta(days=1)
            queryset = queryset.filter(**{f"{self.field_path}__lt": _start_of(next_day)})
        return queryset

    def choices(self, changelist):
        """One entry: what the template needs to draw the from/to form and keep other filters."""
        own = set(self.expected_parameters())
        yield {
            "parameter_from": self.parameter_from,
            "parameter_to": self.parameter_to,
            "value_from": self._value(self.parameter_from),
            "value_to": self._value(self.parameter_to),
            "other_parameters": [
                (name, value)
                for name, values in changelist.filter_params.items()
                if name not in own
                for value in values
            ],
            "clear_query_string": changelist.get_query_string(remove=list(own)),
            "selected": bool(own & set(self.used_parameters)),
        }


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class _TransactionsOfFilter(admin.SimpleListFilter):
    """Transactions into or out of some accounts, chosen by a public id in the query string.

    Reached from links on member and account pages rather than picked from the sidebar: the
    sidebar shows the current choice (and "All" to drop it) only while it is in use. An unknown
    id matches nothing rather than being ignored.
    """

    account_lookup: str  # the Account field path that the public id in the query string matches

    def lookups(self, request, model_admin):
        value = self.value()
        return [(value, self.label(value) or f"{value} (not found)")] if value else []

    def label(self, value: str) -> str | None:
        return value if self.accounts(value).exists() else None

    def accounts(self, value: str) -> QuerySet:
        return Account.objects.filter(**{self.account_lookup: value})

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        accounts = self.accounts(value).values("pk")
        return queryset.filter(Q(origin_account__in=accounts) | Q(destination_account__in=accounts))


class MemberTransactionsFilter(_TransactionsOfFilter):
    title = "member"
    parameter_name = "member"
    account_lookup = "member__public_id"

    def label(self, value: str) -> str | None:
        member = Member.objects.filter(public_id=value).first()
        return str(member) if member else None


class AccountTransactionsFilter(_TransactionsOfFilter):
    title = "account"
    parameter_name = "account"
    account_lookup = "public_id"


class TierFilter(admin.RelatedFieldListFilter):
    """Tiers named with their currency, since two programmes may both have a "Gold" tier."""

    def field_choices(self, field, request, model_admin):
        return [
            (tier.pk, f"{tier.loyalty_currency.code}: {tier.name}")
            for tier in Tier.objects.select_related("loyalty_currency")
        ]


class AccountOwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("member", "Members"), ("partner", "Partners")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "member":
            return queryset.filter(member__isnull=False)
        if self.value() == "partner":
            return queryset.filter(partner__isnull=False)
        return queryset
