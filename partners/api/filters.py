"""List filters of the contract: created_at__range, and comma-separated status and type."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_field

from loyalty.models import Transaction, TransactionStatus, TransactionType


def _parse_bound(text: str, *, end: bool) -> dt.datetime:
    """A date (YYYY-MM-DD) or a date-time (YYYY-MM-DDThh:mm[:ss][Z]); naive means UTC.

    A date alone as the end of a range means the whole of that day.
    """
    text = text.strip()
    try:
        day = parse_date(text) if len(text) == 10 else None
        moment = None if day else parse_datetime(text)
    except ValueError:  # well formed but impossible, e.g. month 13
        day = moment = None
    if moment is None:
        if day is None:
            raise forms.ValidationError(
                "%(value)r is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm[:ss][Z]).",
                code="invalid",
                params={"value": text},
            )
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
        if end:
            moment -= dt.timedelta(microseconds=1)
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, dt.UTC)
    offset = moment.utcoffset()
    if offset is None or abs(offset) >= dt.timedelta(hours=16):
        raise forms.ValidationError(
            "%(value)r has an impossible UTC offset.", code="invalid", params={"value": text}
        )
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError as exc:
        raise forms.ValidationError(
            "%(value)r is out of range.", code="invalid", params={"value": text}
        ) from exc


class DateTimeRangeField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parts = value.split(",")
        if len(parts) > 2 or not parts[0].strip():
            raise forms.ValidationError("Use start[,end], e.g. 2020-05-02,2020-06-04T09:35:25Z.")
        start = _parse_bound(parts[0], end=False)
        end = _parse_bound(parts[1], end=True) if len(parts) == 2 and parts[1].strip() else None
        if end is not None and end < start:
            raise forms.ValidationError("The end of the range is before its start.")
        return start, end


@extend_schema_field(
    {
        "type": "string",
        "example": "2020-05-02,2020-06-04T09:35:25Z",
        "description": "start[,end]: YYYY-MM-DD[Thh:mm[:ss][Z]] each; a date alone as the end "
        "covers that whole day.",
    }
)
class DateTimeRangeFilter(django_filters.Filter):
    field_class = DateTimeRangeField

    def filter(self, qs, value):
        if not value:
            return qs
        start, end = value
        qs = qs.filter(**{f"{self.field_name}__gte": start})
        return qs.filter(**{f"{self.field_name}__lte": end}) if end else qs


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """Several enum values, comma-separated; an unknown value is a 400."""


class TransactionFilter(django_filters.FilterSet):
    created_at__range = DateTimeRangeFilter(
        field_name="created_at",
        help_text="start[,end]: YYYY-MM-DD[Thh:mm[:ss][Z]], e.g. 2020-05-02,2020-06-04T09:35:25Z",
    )
    status = ChoiceInFilter(choices=TransactionStatus.choices, lookup_expr="in")
    type = ChoiceInFilter(choices=TransactionType.choices, lookup_expr="in")

    class Meta:
        model = Transaction
        fields = ["created_at__range", "status", "type"]
