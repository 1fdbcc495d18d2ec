"""Earning rules in the staff admin: purchase and activity rule editors, awards, simulation.

Rules are edited as plain fields; the models' CheckConstraints (validated by full_clean) give
the messages for inconsistent rules. Each rule admin has a "Simulate" page that evaluates every
rule of a currency for a sample request without writing anything. The admin's LogEntry keeps
who changed which fields of a rule and when ("History" on each rule's page).
"""

from collections.abc import Callable

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from loyalty.admin.base import ModelAdmin, ReadOnlyAdmin, TabularInline
from loyalty.admin.display import EMPTY, units
from loyalty.admin.forms import TierChoiceField
from loyalty.admin.rule_simulation import (
    ActivitySimulationForm,
    PurchaseSimulationForm,
    Simulation,
    simulate_activities,
    simulate_purchase,
    split_tags,
)
from loyalty.models import (
    ActivityRule,
    PurchaseRule,
    PurchaseRuleMetadataMatch,
    PurchaseRuleTierMultiplier,
    RuleAward,
    Tier,
)
from loyalty.models.rules import WEEKDAY_FIELDS

# Forms --------------------------------------------------------------------------------------


class TagsField(forms.CharField):
    """A list of tags typed as comma-separated text (`online, summer`)."""

    def prepare_value(self, value: object) -> object:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: str | None) -> list[str]:
        return split_tags(super().to_python(value))

    def has_changed(self, initial: list[str] | None, data: str | None) -> bool:
        return list(initial or []) != self.to_python(data)


def _check_cohort(form: forms.ModelForm, cleaned: dict) -> None:
    """A rule can be reserved only to a cohort of its currency's owner: no other cohort runs
    the currency's rules."""
    currency, cohort = cleaned.get("loyalty_currency"), cleaned.get("cohort")
    if currency is not None and cohort is not None and cohort.owner_id != currency.owner_id:
        form.add_error("cohort", f"Not a cohort of the owner of {currency.code}.")


class PurchaseRuleForm(forms.ModelForm):
    tags = TagsField(
        required=False,
        help_text="Comma-separated. The rule runs for requests sharing one of these tags; "
        "empty: for every request.",
    )

    class Meta:
        model = PurchaseRule
        fields = [
            "name",
            "loyalty_currency",
            "cohort",
            "reason",
            "enabled",
            "is_bonus",
            "valid_from",
            "valid_to",
            "time_zone",
            *WEEKDAY_FIELDS,
            "hour_from",
            "hour_to",
            "fiat_currency",
            "min_amount",
            "max_amount",
            "tiers",
            "tags",
            "points_per_unit",
            "percentage",
            "price_type",
            "fixed_bonus",
            "max_points_per_purchase",
            "max_points_per_member",
            "member_cap_period",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        currency = cleaned.get("loyalty_currency")
        tiers = cleaned.get("tiers")
        if currency is not None and tiers:
            foreign = [tier.name for tier in tiers if tier.loyalty_currency_id != currency.pk]
            if foreign:
                self.add_error(
                    "tiers", f"Not tiers of {currency.code}: {', '.join(sorted(foreign))}."
                )
        _check_cohort(self, cleaned)
        return cleaned


class ActivityRuleForm(forms.ModelForm):
    class Meta:
        model = ActivityRule
        fields = [
            "name",
            "loyalty_currency",
            "cohort",
            "reason",
            "enabled",
            "activity",
            "valid_from",
            "valid_to",
            "time_zone",
            "points",
            "once_per_member",
            "max_per_member",
            "limit_period",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        _check_cohort(self, cleaned)
        return cleaned


class TierMultiplierFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        currency_id = self.instance.loyalty_currency_id
        for form in self.forms:
            tier = form.cleaned_data.get("tier") if form.cleaned_data else None
            if tier is not None and currency_id and tier.loyalty_currency_id != currency_id:
                form.add_error("tier", "Choose a tier of the rule's loyalty currency.")


class MetadataMatchInline(TabularInline):
    model = PurchaseRuleMetadataMatch
    extra = 1
    verbose_name = "metadata match"
    verbose_name_plural = (
        "Metadata matches (the purchase's metadata must match each key; several values of a "
        "key: any one)"
    )


class TierMultiplierInline(TabularInline):
    model = PurchaseRuleTierMultiplier
    formset = TierMultiplierFormSet
    extra = 1
    verbose_name_plural = "Tier multipliers (variable points times this, for members of the tier)"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tier":
            return TierChoiceField(
                queryset=Tier.objects.select_related("loyalty_currency"),
                required=kwargs.get("required", True),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# The simulation page, shared ----------------------------------------------------------------


class SimulationAdminMixin:
    """A "Simulate" page (…/simulate/) linked from the rule list and from each rule's page."""

    simulation_form: type[forms.Form]
    simulator: Callable[[dict], Simulation]
    simulation_fields: list[str]
    simulation_title: str

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "simulate/",
                self.admin_site.admin_view(self.simulate_view),
                name=f"{opts.app_label}_{opts.model_name}_simulate",
            ),
            *super().get_urls(),
        ]

    def simulate_url(self, rule=None) -> str:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_simulate")
        return (
            url
            if rule is None
            else f"{url}?{urlencode({'loyalty_currency': rule.loyalty_currency_id})}"
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {**(extra_context or {}), "simulate_url": self.simulate_url()}
        return super().changelist_view(request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["simulate_url"] = self.simulate_url(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def simulate_view(self, request: HttpRequest) -> HttpResponse:
        """GET shows the form (currency from ?loyalty_currency=); POST, every rule's outcome."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        initial = {"at": timezone.localtime().replace(second=0, microsecond=0)}
        if currency := request.GET.get("loyalty_currency"):
            initial["loyalty_currency"] = currency
        form = self.simulation_form(request.POST or None, initial=initial)
        simulation = None
        if request.method == "POST" and form.is_valid():
            try:
                simulation = self.simulator(form.cleaned_data)
            except forms.ValidationError as exc:
                form.add_error(None, exc)
        context = {
            **self.admin_site.each_context(request),
            "title": self.simulation_title,
            "opts": self.opts,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": self.simulation_fields})], {}),
            "media": self.media + form.media,
            "simulation": simulation,
            "time_zone": timezone.get_current_timezone_name(),
        }
        template = f"admin/{self.opts.app_label}/{self.opts.model_name}/simulate.html"
        return TemplateResponse(request, template, context)


# Purchase rules -----------------------------------------------------------------------------


@admin.register(PurchaseRule)
class PurchaseRuleAdmin(SimulationAdminMixin, ModelAdmin):
    form = PurchaseRuleForm
    inlines = [MetadataMatchInline, TierMultiplierInline]
    list_display = [
        "name",
        "public_id",
        "loyalty_currency",
        "fiat_currency",
        "enabled",
        "validity",
        "reward",
    ]
    list_filter = ["enabled", "loyalty_currency", "fiat_currency"]
    list_select_related = ["loyalty_currency"]
    search_fields = ["name", "=public_id"]
    search_help_text = "Rule name or rule id (rl_…)."
    readonly_fields = ["public_id", "created_at", "updated_at"]
    filter_horizontal = ["tiers"]
    change_list_template = "admin/loyalty/purchaserule/change_list.html"
    change_form_template = "admin/loyalty/purchaserule/change_form.html"
    fieldsets = [
        (
            "Basics",
            {
                "fields": [
                    "name",
                    "public_id",
                    ("loyalty_currency", "cohort"),
                    "reason",
                    "enabled",
                    "is_bonus",
                ]
            },
        ),
        (
            "When it applies",
            {
                "fields": [
                    ("valid_from", "valid_to"),
                    "time_zone",
                    tuple(WEEKDAY_FIELDS),
                    ("hour_from", "hour_to"),
                    "fiat_currency",
                    ("min_amount", "max_amount"),
                    "tiers",
                    "tags",
                ],
                "description": "Conditions left empty do not restrict. Metadata matches are "
                "below the form.",
            },
        ),
        (
            "Reward",
            {
                "fields": ["points_per_unit", ("percentage", "price_type"), "fixed_bonus"],
                "description": "Points = amount x points per unit + the points worth the "
                "percentage of the amount, times the tier multiplier (below), rounded down, plus "
                "the fixed bonus.",
            },
        ),
        (
            "Limits",
            {
                "fields": [
                    "max_points_per_purchase",
                    ("max_points_per_member", "member_cap_period"),
                ]
            },
        ),
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]
    simulation_form = PurchaseSimulationForm
    simulation_fields = [
        "loyalty_currency",
        "membership_id",
        "tier",
        ("amount", "fiat_currency"),
        "tags",
        "metadata",
        "at",
    ]
    simulation_title = "Simulate a purchase"

    simulator = staticmethod(simulate_purchase)

    @admin.display(description="Validity")
    def validity(self, obj: PurchaseRule | ActivityRule) -> str:
        return validity_text(obj)

    @admin.display(description="Reward")
    def reward(self, obj: PurchaseRule) -> str:
        parts = []
        if obj.points_per_unit:
            parts.append(f"{obj.points_per_unit.normalize():f} pts per {obj.fiat_currency}")
        if obj.percentage:
            parts.append(f"{obj.percentage.normalize():f} %")
        if obj.fixed_bonus:
            parts.append(f"+{units(obj.fixed_bonus)} pts")
        if obj.max_points_per_purchase:
            parts.append(f"max {units(obj.max_points_per_purchase)} per purchase")
        return ", ".join(parts) or EMPTY


def validity_text(rule: PurchaseRule | ActivityRule) -> str:
    """`from 2026-11-01 00:00 UTC until 2026-12-01 00:00 UTC` (the site's time zone, named);
    `always` without bounds."""
    bounds = []
    if rule.valid_from:
        bounds.append(f"from {timezone.localtime(rule.valid_from):%Y-%m-%d %H:%M %Z}")
    if rule.valid_to:
        bounds.append(f"until {timezone.localtime(rule.valid_to):%Y-%m-%d %H:%M %Z}")
    return " ".join(bounds) or "always"


# Activity rules -----------------------------------------------------------------------------


@admin.register(ActivityRule)
class ActivityRuleAdmin(SimulationAdminMixin, ModelAdmin):
    form = ActivityRuleForm
    list_display = [
        "name",
        "public_id",
        "activity",
        "loyalty_currency",
        "enabled",
        "validity",
        "reward",
    ]
    list_filter = ["enabled", "loyalty_currency", "activity"]
    list_select_related = ["loyalty_currency"]
    search_fields = ["name", "activity", "=public_id"]
    search_help_text = "Rule name, activity or rule id (rl_…)."
    readonly_fields = ["public_id", "created_at", "updated_at"]
    change_list_template = "admin/loyalty/activityrule/change_list.html"
    change_form_template = "admin/loyalty/activityrule/change_form.html"
    fieldsets = [
        (
            "Basics",
            {
                "fields": [
                    "name",
                    "public_id",
                    ("loyalty_currency", "cohort"),
                    "reason",
                    "enabled",
                ]
            },
        ),
        ("When it applies", {"fields": ["activity", ("valid_from", "valid_to"), "time_zone"]}),
        ("Reward", {"fields": ["points"]}),
        (
            "Limits",
            {
                "fields": ["once_per_member", ("max_per_member", "limit_period")],
                "description": "Once per member, or at most a number of times per period.",
            },
        ),
        ("Record", {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]
    simulation_form = ActivitySimulationForm
    simulation_fields = ["loyalty_currency", "membership_id", "tier", "activity_ids", "at"]
    simulation_title = "Simulate activities"

    simulator = staticmethod(simulate_activities)

    @admin.display(description="Validity")
    def validity(self, obj: ActivityRule) -> str:
        return validity_text(obj)

    @admin.display(description="Reward")
    def reward(self, obj: ActivityRule) -> str:
        if obj.once_per_member:
            limit = ", once per member"
        elif obj.max_per_member:
            limit = f", {obj.max_per_member} per member per {obj.limit_period}"
        else:
            limit = ""
        return f"{units(obj.points)} pts{limit}"


# Awards -------------------------------------------------------------------------------------


@admin.register(RuleAward)
class RuleAwardAdmin(ReadOnlyAdmin):
    """Awards are written by rule triggers only; staff read them."""

    list_display = ["created_at", "member", "rule", "points", "transaction"]
    list_select_related = ["member", "purchase_rule", "activity_rule", "transaction"]
    search_fields = [
        "member__membership_id",
        "=purchase_rule__public_id",
        "=activity_rule__public_id",
    ]
    search_help_text = "Membership id or rule id (rl_…)."
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="Rule")
    def rule(self, obj: RuleAward) -> str:
        return str(obj.purchase_rule or obj.activity_rule)
