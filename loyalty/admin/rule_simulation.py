"""The rule admins' simulation panel: which rules a purchase or an activity would fire, and why not.

It loads the currency's rules, the member's past awards and the exchange rates through the same
loaders as the partner API (loyalty.rules.loading), so the two agree, then runs the pure
evaluation of `loyalty.rules.evaluation`. Unlike the API it also shows disabled rules (with the
reason they do not fire) and simulates any instant: awards made after it are left out. Nothing
is written: the panel only reads.
"""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.admin import widgets
from django.utils import timezone

from loyalty.admin.widgets import UnfoldForm
from loyalty.models import ActivityRule, LoyaltyCurrency, Member, PurchaseRule, Tier
from loyalty.models.currencies import iso4217
from loyalty.rules import loading
from loyalty.rules.evaluation import evaluate_activity, evaluate_purchase
from loyalty.rules.inputs import ActivityRequest, MemberSnapshot, PurchaseRequest, RuleOutcome


def split_tags(text: str) -> list[str]:
    """`gold, online,,gold` -> ["gold", "online"]: trimmed, without blanks or repeats."""
    return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


# Forms --------------------------------------------------------------------------------------


class _WhoAndWhenForm(UnfoldForm):
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
        help_text=f"When the request happens, in {settings.TIME_ZONE} (the site's time zone; "
        "each rule's own time zone decides its days and hours).",
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


def _with_tier(snapshot: MemberSnapshot, cleaned: dict) -> MemberSnapshot:
    """For a tier rather than a member: any member of that tier, with no past awards."""
    tier = cleaned["tier"]
    return (
        MemberSnapshot(tier=tier.code if tier else None) if cleaned["member"] is None else snapshot
    )


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
    currency, at = cleaned["loyalty_currency"], cleaned["at"]
    rules = loading.candidate_purchase_rules(loyalty_currency=currency, include_disabled=True)
    specs = [loading.purchase_rule_spec(rule, loyalty_currency=currency) for rule in rules]
    rates = loading.purchase_rates(
        fiat_currency=cleaned["fiat_currency"],
        rules=specs,
        own_fiat=currency.fiat_currency,
        on=timezone.localdate(at),
    )
    for spec in specs:
        pairs = loading.rate_pairs(
            fiat_currency=cleaned["fiat_currency"], rule=spec, own_fiat=currency.fiat_currency
        )
        for pair in sorted(pairs & rates.missing.keys()) if spec.enabled else ():
            raise forms.ValidationError(
                f"Rule {spec.name}: {rates.missing[pair]}", code="fx_rate_missing"
            )
    request = PurchaseRequest(
        amount=cleaned["amount"],
        fiat_currency=cleaned["fiat_currency"],
        at=at,
        tags=frozenset(split_tags(cleaned["tags"])),
        metadata=cleaned["metadata"],
        rates=rates.found,
    )
    member = loading.member_snapshot(member=cleaned["member"], rules=rules, at=at, until=at)
    evaluation = evaluate_purchase(rules=specs, request=request, member=_with_tier(member, cleaned))
    return Simulation(tuple(map(SimulatedRule, rules, evaluation.outcomes)))


def simulate_activities(cleaned: dict) -> Simulation:
    """Every activity rule of the currency against the form's activities, at the same instant.

    A rule is tried against its own activity when the form names it, and otherwise reports that
    it rewards another activity.
    """
    at = cleaned["at"]
    rules = list(
        ActivityRule.objects.filter(
            loyalty_currency=cleaned["loyalty_currency"], cohort__isnull=True
        ).order_by("activity", "name", "pk")
    )
    awarded = {}
    if cleaned["member"] is not None:
        awarded = loading.activity_awarded(member=cleaned["member"], rules=rules, at=at, until=at)
    member = _with_tier(
        MemberSnapshot(tier=_tier_code(cleaned["member"]), awarded=awarded), cleaned
    )
    activities = cleaned["activity_ids"]
    rows = []
    for rule in rules:
        activity = rule.activity if rule.activity in activities else ", ".join(activities)
        evaluation = evaluate_activity(
            rules=[loading.activity_rule_spec(rule)],
            request=ActivityRequest(activity=activity, at=at),
            member=member,
        )
        rows.append(SimulatedRule(rule, evaluation.outcomes[0]))
    return Simulation(tuple(rows))


def _tier_code(member: Member | None) -> str | None:
    return member.tier.code if member is not None and member.tier_id else None
