"""Forms of the staff admin: member profiles, partner accounts and the ledger operations.

The model forms validate what staff type; saving goes through the services (see the model
admins), never through ModelForm.save() for anything that creates accounts or moves units.
"""

from django import forms
from django.db.models import QuerySet

from loyalty.admin.widgets import UnfoldForm
from loyalty.models import Account, Member, MemberType, ReasonCode, Tier
from loyalty.services.members import COMPANY_FIELDS, INDIVIDUAL_FIELDS

BIGINT_MAX = 2**63 - 1


class TierChoiceField(forms.ModelChoiceField):
    """Tiers named with their currency, since two programmes may both have a "Gold" tier."""

    def label_from_instance(self, obj: Tier) -> str:
        return f"{obj.loyalty_currency.code}: {obj.name}"


def _tiers() -> QuerySet:
    return Tier.objects.select_related("loyalty_currency")


class MemberForm(forms.ModelForm):
    """A member's profile. Its tier must belong to the member's currency, and it carries only
    the fields of its type: an individual has no company name, a company no name or gender."""

    tier = TierChoiceField(
        queryset=_tiers(),
        required=False,
        help_text="Leave empty for a member without a tier.",
    )

    class Meta:
        model = Member
        fields = [
            "loyalty_currency",
            "type",
            "status",
            "tier",
            "first_name",
            "last_name",
            "gender",
            "birth_date",
            "company_name",
            "company_registration_number",
            "email",
            "phone_number",
            "address_line1",
            "address_line2",
            "address_line3",
            "city",
            "state",
            "postal_code",
            "country",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["tier"].queryset = _tiers().filter(
                loyalty_currency_id=self.instance.loyalty_currency_id
            )

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("loyalty_currency") or (
            self.instance.loyalty_currency if self.instance.loyalty_currency_id else None
        )
        tier = cleaned.get("tier")
        if tier and currency and tier.loyalty_currency_id != currency.pk:
            self.add_error("tier", f"Choose a tier of {currency.code}.")
        member_type = cleaned.get("type") or self.instance.type
        foreign = COMPANY_FIELDS if member_type == MemberType.INDIVIDUAL else INDIVIDUAL_FIELDS
        for name in foreign:
            if cleaned.get(name) not in (None, ""):
                kind = MemberType(member_type).label.lower()
                label = Member._meta.get_field(name).verbose_name
                self.add_error(name, f"A {kind} member has no {label}; clear this field.")
        return cleaned


class MemberAddForm(MemberForm):
    """A new member: the membership id becomes loyalty_program_identifiers {"id": ...}."""

    membership_id = forms.CharField(
        label="Membership id",
        max_length=100,
        help_text="The member's number in the programme, e.g. M100123. It cannot change later.",
    )


class PartnerAccountAddForm(forms.ModelForm):
    """A partner's default account in one currency (a partner holds at most one per currency)."""

    credit_limit = forms.IntegerField(
        min_value=0,
        max_value=BIGINT_MAX,
        initial=0,
        help_text="How many units the partner may owe (how far below zero its balance may go).",
    )

    class Meta:
        model = Account
        fields = ["partner", "loyalty_currency", "credit_limit"]

    def clean(self):
        cleaned = super().clean()
        partner, currency = cleaned.get("partner"), cleaned.get("loyalty_currency")
        if (
            partner
            and currency
            and Account.objects.filter(
                partner=partner, loyalty_currency=currency, is_default=True
            ).exists()
        ):
            raise forms.ValidationError(
                f"{partner} already has an account in {currency.code}; "
                "change its credit limit on that account's page."
            )
        return cleaned


class PartnerAccountForm(forms.ModelForm):
    """A partner account's credit limit: never negative, never below what the partner owes."""

    credit_limit = forms.IntegerField(
        min_value=0,
        max_value=BIGINT_MAX,
        help_text="How many units the partner may owe (how far below zero its balance may go).",
    )

    class Meta:
        model = Account
        fields = ["credit_limit"]

    def clean_credit_limit(self) -> int:
        limit = self.cleaned_data["credit_limit"]
        balance = Account.objects.filter(pk=self.instance.pk).values_list("balance", flat=True)[0]
        if balance < -limit:
            raise forms.ValidationError(
                f"The partner owes {-balance:,} units; the limit cannot be lower than that."
            )
        return limit


class BalanceAdjustmentForm(UnfoldForm):
    """A staff credit or debit of a member's balance."""

    CREDIT = "credit"
    DEBIT = "debit"

    direction = forms.ChoiceField(
        choices=[
            (CREDIT, "Credit: add units to the member's balance"),
            (DEBIT, "Debit: take units from the member's balance"),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.IntegerField(
        min_value=1,
        max_value=BIGINT_MAX,
        help_text="A whole number of units, e.g. 500.",
    )
    reason_code = forms.ChoiceField(
        label="Reason code",
        choices=[("", "Choose the kind of correction…"), *ReasonCode.choices],
        help_text="The contract's reason code, which partners see on the transaction.",
    )
    reason = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Kept on the transaction; e.g. a ticket number and why.",
    )


class ReversalForm(UnfoldForm):
    """Why the selected transactions are being reversed."""

    reason = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Kept on each reversal transaction; e.g. a ticket number and why.",
    )
