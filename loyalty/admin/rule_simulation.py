"""The rule admins' simulation panel: which rules a purchase or an activity would fire, and why not.

It loads the currency's rules, the member's past awards and the exchange rates, then runs the
pure evaluation of `loyalty.rules.evaluation`. Nothing is written: the panel only reads.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.admin import widgets
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from loyalty.models import (
    ActivityRule,
    LoyaltyCurrency,
    Member,
    PurchaseRule,
    RuleAward,
    Tier,
)
from loyalty.models.currencies import iso4217
from loyalty.rules.evaluation import evaluate_activity, evaluate_purchase, period_start
from loyalty.rules.inputs import (
    ActivityRequest,
    ActivityRuleSpec,
    Awarded,
    MemberSnapshot,
    PurchaseRequest,
    RuleOutcome,
)
from loyalty.rules.loading import purchase_rule_spec
from loyalty.services.fx import FxRateMissing, fx_rate_get


def split_tags(text: str) -> list[str]:
    """`gold, online,,gold` -> ["gold", "online"]: trimmed, without blanks or repeats."""
    return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


# Forms --------------------------------------------------------------------------------------


class _WhoAndWhenForm(forms.Form):
    """The member (or just a tier) and the instant of the simulated request."""

    loyalty_currency = forms.ModelChoiceField(
        queryset=LoyaltyCurrency.objects.all(), help_text="Every rule of this currency is tried."
    )
    membership_id = forms.CharField(
        required=False,
        help_text="A member's number: their tier and past awards (caps, limits) count.",
    )
    tier = forms.ModelChoiceField(
        queryset=Tier.objects.select_related("loyalty_currency"),
        required=False,
        help_text="Or simulate for any member of this tier, without past awards.",
    )
    at = forms.SplitDateTimeField(
        label="Date and time",
        widget=widgets.AdminSplitDateTime,
        help_text="When the request happens, in the admin's time zone.",
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        currency = cleaned.get("loyalty_currency")
        membership_id, tier = cleaned.get("membership_id"), cleaned.get("tier")
        if membership_id and tier:
            raise forms.ValidationError("Choose a member or a tier, not both.")
        if currency is None:
            return cleaned
        if tier is not None and tier.loyalty_currency_id != currency.pk:
            self.add_error("tier", f"This tier is not one of {currency.code}'s.")
        cleaned["member"] = None
        if membership_id:
            cleaned["member"] = (
                Member.objects.select_related("tier")
                .filter(loyalty_currency=currency, membership_id=membership_id)
                .first()
            )
            if cleaned["member"] is None:
                self.add_error("membership_id", f"No member {membership_id} in {currency.code}.")
        return cleaned


class PurchaseSimulationForm(_WhoAndWhenForm):
    amount = forms.DecimalField(min_value=Decimal(0), max_digits=20, decimal_places=4)
    fiat_currency = forms.CharField(max_length=3, help_text="The purchase's currency, e.g. EUR.")
    tags = forms.CharField(required=False, help_text="Comma-separated, e.g. online, summer.")
    metadata = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One key=value a line, e.g. store=42.",
    )

    def clean_fiat_currency(self) -> str:
        code = self.cleaned_data["fiat_currency"].upper()
        iso4217(code)
        return code

    def clean_metadata(self) -> dict[str, str]:
        metadata = {}
        for number, line in enumerate(self.cleaned_data["metadata"].splitlines(), start=1):
            if not line.strip():
                continue
            key, equals, value = line.partition("=")
            if not equals or not key.strip():
                raise forms.ValidationError(f"Line {number}: write key=value.")
            metadata[key.strip()] = value.strip()
        return metadata


class ActivitySimulationForm(_WhoAndWhenForm):
    activity_ids = forms.CharField(
        label="Activity ids", help_text="Comma-separated, e.g. birthday, review."
    )

    def clean_activity_ids(self) -> list[str]:
        return split_tags(self.cleaned_data["activity_ids"])


# Loading ------------------------------------------------------------------------------------


def _activity_spec(rule: ActivityRule) -> ActivityRuleSpec:
    return ActivityRuleSpec(
        public_id=rule.public_id,
        name=rule.name,
        activity=rule.activity,
        points=rule.points,
        enabled=rule.enabled,
        valid_from=rule.valid_from,
        valid_to=rule.valid_to,
        time_zone=rule.time_zone,
        once_per_member=rule.once_per_member,
        max_per_member=rule.max_per_member,
        limit_period=rule.limit_period,
    )


def _awarded(awards: QuerySet, *, period: str | None, at: dt.datetime, time_zone: str) -> Awarded:
    """A member's awards from one rule up to `at`: in the rule's period holding `at`, and ever.

    Awards after `at` are left out, so that simulating a past date replays that day's limits.
    """
    ever = awards.filter(created_at__lte=at).aggregate(count=Count("pk"))["count"]
    if period is None:
        return Awarded(count_ever=ever)
    since = period_start(period=period, at=at, time_zone=time_zone)
    current = awards.filter(created_at__gte=since, created_at__lte=at).aggregate(
        points=Sum("points", default=0), count=Count("pk")
    )
    return Awarded(points=current["points"], count=current["count"], count_ever=ever)


def _snapshot(cleaned: dict, rules: list, *, kind: str, period_field: str) -> MemberSnapshot:
    member, tier = cleaned["member"], cleaned["tier"]
    if member is None:
        return MemberSnapshot(tier=tier.code if tier else None)
    awarded = {
        rule.public_id: _awarded(
            RuleAward.objects.filter(member=member, **{kind: rule}),
            period=getattr(rule, period_field),
            at=cleaned["at"],
            time_zone=rule.time_zone,
        )
        for rule in rules
    }
    return MemberSnapshot(tier=member.tier.code if member.tier else None, awarded=awarded)


def _rates(
    rules: list[PurchaseRule], *, fiat_currency: str, on: dt.date
) -> dict[tuple[str, str], Decimal]:
    """The pairs evaluation needs. A rate missing for an enabled rule is the form's error; for a
    disabled rule it is left out, and the rule's row says so among its reasons."""
    rates: dict[tuple[str, str], Decimal] = {}
    for rule in rules:
        pairs = [(fiat_currency, rule.fiat_currency)]
        if rule.percentage:
            pairs.append((rule.fiat_currency, rule.loyalty_currency.fiat_currency))
        for base, quote in pairs:
            if (base, quote) in rates:
                continue
            try:
                rates[(base, quote)] = fx_rate_get(base=base, quote=quote, on=on)
            except FxRateMissing as exc:
                if rule.enabled:
                    raise forms.ValidationError(
                        f"Rule {rule.name}: {exc.message}", code="fx_rate_missing"
                    ) from exc
    return rates


# Simulation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatedRule:
    rule: PurchaseRule | ActivityRule
    outcome: RuleOutcome


@dataclass(frozen=True)
class Simulation:
    rows: tuple[SimulatedRule, ...]

    @property
    def points(self) -> int:
        return sum(row.outcome.points for row in self.rows)


def simulate_purchase(cleaned: dict) -> Simulation:
    """Every purchase rule of the currency, enabled or not, against the form's purchase.

    Raises forms.ValidationError when an enabled rule needs an exchange rate that is missing.
    """
    rules = list(
        PurchaseRule.objects.filter(
            loyalty_currency=cleaned["loyalty_currency"], cohort__isnull=True
        )
        .select_related("loyalty_currency")
        .prefetch_related("tiers", "metadata_matches", "tier_multipliers__tier")
    )
    at = cleaned["at"]
    request = PurchaseRequest(
        amount=cleaned["amount"],
        fiat_currency=cleaned["fiat_currency"],
        at=at,
        tags=frozenset(split_tags(cleaned["tags"])),
        metadata=cleaned["metadata"],
        rates=_rates(rules, fiat_currency=cleaned["fiat_currency"], on=timezone.localdate(at)),
    )
    evaluation = evaluate_purchase(
        rules=[purchase_rule_spec(rule, loyalty_currency=rule.loyalty_currency) for rule in rules],
        request=request,
        member=_snapshot(cleaned, rules, kind="purchase_rule", period_field="member_cap_period"),
    )
    return Simulation(tuple(map(SimulatedRule, rules, evaluation.outcomes)))


def simulate_activities(cleaned: dict) -> Simulation:
    """Every activity rule of the currency against the form's activities, at the same instant.

    A rule is tried against its own activity when the form names it, and otherwise reports that
    it rewards another activity.
    """
    rules = list(
        ActivityRule.objects.filter(
            loyalty_currency=cleaned["loyalty_currency"], cohort__isnull=True
        )
    )
    member = _snapshot(cleaned, rules, kind="activity_rule", period_field="limit_period")
    activities = cleaned["activity_ids"]
    rows = []
    for rule in rules:
        activity = rule.activity if rule.activity in activities else ", ".join(activities)
        evaluation = evaluate_activity(
            rules=[_activity_spec(rule)],
            request=ActivityRequest(activity=activity, at=cleaned["at"]),
            member=member,
        )
        rows.append(SimulatedRule(rule, evaluation.outcomes[0]))
    return Simulation(tuple(rows))
