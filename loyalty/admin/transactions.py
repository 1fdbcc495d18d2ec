"""Ledger transactions: read-only for everyone; staff act on them only through ledger actions.

Nobody adds, changes or deletes a transaction here, superusers included: a posted transaction is
corrected by a new one. The list's actions call loyalty.ledger (release now, cancel, reverse) one
transaction at a time, so one refusal leaves the others' results standing, and report each
refusal with the ledger's own message.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import action

from loyalty import ledger
from loyalty.admin.base import ReadOnlyAdmin
from loyalty.admin.display import (
    EMPTY,
    account_with_owner,
    admin_url,
    describe,
    link,
    member_side,
    plain_refusal,
    units,
)
from loyalty.admin.exports import export_list_view
from loyalty.admin.filters import (
    AccountTransactionsFilter,
    DateRangeFilter,
    MemberTransactionsFilter,
)
from loyalty.admin.forms import ReversalForm
from loyalty.admin.permissions import can_operate_ledger
from loyalty.errors import LedgerError
from loyalty.models import (
    Account,
    Exchange,
    ExportKind,
    ForwardingRecord,
    Member,
    ReasonCode,
    Transaction,
    TransactionStatus,
)
from loyalty.selectors import redemption_chain_links

_RELATED = [
    "loyalty_currency",
    "origin_account__member",
    "origin_account__partner",
    "destination_account__member",
    "destination_account__partner",
    "reverses",
]
# Searching the ledger's ids and references by part of them reads every row (LIKE '%...%');
# below this length a term is matched exactly only, so that "tx" alone does not scan the ledger.
PARTIAL_MATCH_MIN_LENGTH = 4
REASON_LENGTH = 48


def _export_url(request: HttpRequest, model_name: str) -> str:
    """The list's export view, with the list's own filters and search."""
    url = reverse(f"admin:loyalty_{model_name}_export")
    return f"{url}?{request.GET.urlencode()}" if request.GET else url


def _count(n: int) -> str:
    return f"{n} transaction" if n == 1 else f"{n} transactions"


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    """Nobody writes a transaction through the admin (ReadOnlyAdmin); staff act on them only
    through the ledger actions below, in bulk from the list or one at a time from a
    transaction's page (release, cancel, reverse buttons)."""

    list_display = [
        "public_id",
        "created_at",
        "what",
        "status",
        "holder",
        "signed_amount",
        "reason_short",
    ]
    list_filter = [
        ("type", ChoicesDropdownFilter),
        ("status", ChoicesDropdownFilter),
        ("loyalty_currency", RelatedDropdownFilter),
        ("created_at", DateRangeFilter),
        MemberTransactionsFilter,
        AccountTransactionsFilter,
    ]
    list_filter_submit = True
    list_select_related = _RELATED
    search_fields = ["public_id", "external_reference"]  # shows the box; see get_search_results
    search_help_text = (
        "A member's email, name or membership id; or part of a transaction id (tx_…), account id "
        "(acc_…) or external reference."
    )
    actions = ["release_now", "cancel_pending", "reverse_transactions"]
    actions_detail = ["release_one", "cancel_one", "reverse_one"]
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # counts per filter choice over the whole ledger
    readonly_fields = [
        "what",
        "amount_display",
        "origin",
        "destination",
        "reversals",
        "exchange",
        "reason_code_label",
        "redemption_chain",
    ]
    fieldsets = [
        (
            "Transaction",
            {
                "fields": [
                    "public_id",
                    "what",
                    ("type", "sub_type"),
                    "status",
                    ("status_message", "status_message_code"),
                    "amount_display",
                    "loyalty_currency",
                    "bonus",
                ]
            },
        ),
        ("From and to", {"fields": ["origin", "destination"]}),
        ("Dates (UTC)", {"fields": ["created_at", "release_date", "completed_at"]}),
        (
            "Why and by whom",
            {
                "fields": [
                    ("reason", "reason_code_label"),
                    "external_reference",
                    "reverses",
                    "reversals",
                    "previous",
                    "redemption_chain",
                    "exchange",
                    "created_by_partner",
                    "created_by_user",
                ]
            },
        ),
        (
            "Partner programme and other data",
            {
                "classes": ["collapse"],
                "fields": ["loyalty_system_id", "loyalty_system_data", "metadata", "related_data"],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related(*_RELATED)

    def get_search_results(self, request, queryset, search_term):
        """Members by email, name or membership id (all their transactions), and transactions by
        part of their id, an account's id or their external reference."""
        term = search_term.strip()
        if not term:
            return queryset, False
        partial = len(term) >= PARTIAL_MATCH_MIN_LENGTH
        members = Member.objects.filter(_member_match(term)).values("pk")
        account_match = Q(public_id__icontains=term) if partial else Q(public_id=term)
        accounts = Account.objects.filter(account_match | Q(member__in=members)).values("pk")
        own = (
            Q(public_id__icontains=term) | Q(external_reference__icontains=term)
            if partial
            else Q(public_id=term) | Q(external_reference=term)
        )
        return (
            queryset.filter(
                own | Q(origin_account__in=accounts) | Q(destination_account__in=accounts)
            ),
            False,
        )

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="loyalty_transaction_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        return export_list_view(self, request, ExportKind.TRANSACTIONS)

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """Filtered on one member, the heading names them: "Transactions of Mateo Garcia"."""
        extra_context = {**(extra_context or {}), "export_url": _export_url(request, "transaction")}
        member = None
        if public_id := request.GET.get(MemberTransactionsFilter.parameter_name):
            member = Member.objects.filter(public_id=public_id).first()
        if member is not None:
            name = member.display_name or member.membership_id
            heading = f"Transactions of {name} ({member.membership_id})"
            extra_context = {
                **(extra_context or {}),
                "title": heading,
                "member_heading": heading,
                "member_url": admin_url(member),
            }
        return super().changelist_view(request, extra_context)

    @admin.display(description="What")
    def what(self, obj: Transaction) -> str:
        return describe(obj)

    @admin.display(description="Member or partner")
    def holder(self, obj: Transaction) -> SafeString:
        side = member_side(obj)
        return link(side.holder, side.name)

    @admin.display(description="Amount", ordering="amount")
    def signed_amount(self, obj: Transaction) -> SafeString:
        side = member_side(obj)
        tone = "amount-in" if side.incoming else "amount-out"
        return format_html(
            '<span class="{} whitespace-nowrap" title="{}">{}</span>',
            tone,
            obj.loyalty_currency.code,
            side.signed_amount,
        )

    @admin.display(description="Reason code")
    def reason_code_label(self, obj: Transaction) -> str:
        """The contract's code with its label: "customer_service_issue (Customer service issue)"."""
        if not obj.reason_code:
            return EMPTY
        label = dict(ReasonCode.choices).get(obj.reason_code)
        return f"{obj.reason_code} ({label})" if label else obj.reason_code

    @admin.display(description="Reason")
    def reason_short(self, obj: Transaction) -> str:
        return Truncator(obj.reason).chars(REASON_LENGTH) or EMPTY

    @admin.display(description="Amount", ordering="amount")
    def amount_display(self, obj: Transaction) -> str:
        return units(obj.amount)

    @admin.display(description="Origin")
    def origin(self, obj: Transaction) -> SafeString:
        return account_with_owner(obj.origin_account)

    @admin.display(description="Destination")
    def destination(self, obj: Transaction) -> SafeString:
        return account_with_owner(obj.destination_account)

    @admin.display(description="Reversed by")
    def reversals(self, obj: Transaction) -> SafeString | str:
        return format_html_join(", ", "{}", ((link(r),) for r in obj.reversals.all())) or EMPTY

    @admin.display(description="Redemption, from the original to the latest change")
    def redemption_chain(self, obj: Transaction) -> SafeString | str:
        """The redemption's links in order, each with what it moved for the member and what
        the member is charged after it: the redemption's story in one table."""
        links = redemption_chain_links(obj)
        if not links:
            return EMPTY
        member_account = links[0].origin_account_id
        charged, rows = 0, []
        for tx in links:
            paid = tx.origin_account_id == member_account
            charged += tx.amount if paid else -tx.amount
            rows.append(
                (
                    link(tx) if tx.pk != obj.pk else format_html("<strong>{}</strong>", tx),
                    describe(tx),
                    tx.get_status_display(),
                    ("-" if paid else "+") + units(tx.amount),
                    units(charged),
                )
            )
        body = format_html_join(
            "",
            '<tr><td class="pr-3">{}</td><td class="pr-3">{}</td><td class="pr-3">{}</td>'
            '<td class="pr-3 text-right">{}</td><td class="text-right">{}</td></tr>',
            rows,
        )
        return format_html(
            '<table class="text-sm"><thead><tr><th class="pr-3 text-left">Transaction</th>'
            '<th class="pr-3 text-left">What</th><th class="pr-3 text-left">Status</th>'
            '<th class="pr-3 text-right">For the member</th><th class="text-right">Charged '
            "after</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="exchange")
    def exchange(self, obj: Transaction) -> SafeString | str:
        """For a member_exchange: the exchange and its other side (and its forwarding record)."""
        if obj.type != "member_exchange":
            return EMPTY
        found = (
            Exchange.objects.select_related("origin_transaction", "destination_transaction")
            .filter(Q(origin_transaction=obj) | Q(destination_transaction=obj))
            .first()
        )
        if found is None:
            return EMPTY
        other = (
            found.destination_transaction
            if found.origin_transaction_id == obj.pk
            else found.origin_transaction
        )
        side = "destination" if other is found.destination_transaction else "origin"
        record = ForwardingRecord.objects.filter(exchange=found).first()
        forwarding = (
            format_html(", forwarding {} ({})", link(record), record.get_status_display())
            if record
            else ""
        )
        return format_html("{} ({} side: {}){}", found.public_id, side, link(other), forwarding)

    # Ledger actions -------------------------------------------------------------------------

    def has_operate_ledger_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_operate_ledger(request.user)

    @admin.action(description="Release now (pending → completed)", permissions=["operate_ledger"])
    def release_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request,
            queryset,
            verb="released",
            operation=lambda tx: ledger.release(transaction=tx),
        )

    @admin.action(
        description="Cancel pending (units go back to the origin)", permissions=["operate_ledger"]
    )
    def cancel_pending(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(
            request,
            queryset,
            verb="cancelled",
            operation=lambda tx: ledger.cancel(transaction=tx),
        )

    @admin.action(description="Reverse completed…", permissions=["operate_ledger"])
    def reverse_transactions(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        """Ask for a reason on an intermediate page, then reverse each selected transaction."""
        form = ReversalForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._apply(
                request,
                queryset,
                verb="reversed",
                operation=lambda tx: ledger.reverse(
                    transaction=tx, reason=reason, created_by_user=request.user
                ),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reverse transactions",
            "opts": self.opts,
            "rows": [(tx, units(tx.amount)) for tx in queryset.order_by("created_at", "id")],
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["reason"]})], {}),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action_name": "reverse_transactions",
        }
        return TemplateResponse(
            request, "admin/loyalty/transaction/reverse_confirmation.html", context
        )

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        *,
        verb: str,
        operation: Callable[[Transaction], Transaction],
    ) -> None:
        """Run `operation` on each transaction (oldest first) and report what happened.

        Each ledger call is its own database transaction: a refused one changes nothing and
        the others stand.
        """
        done: list[str] = []
        for tx in queryset.select_related(*_RELATED).order_by("created_at", "id"):
            try:
                result = operation(tx)
            except LedgerError as exc:
                self.message_user(
                    request,
                    f"{tx.public_id} was not {verb}: {plain_refusal(exc, tx)}",
                    messages.ERROR,
                )
                continue
            done.append(
                tx.public_id if result.pk == tx.pk else f"{tx.public_id} (by {result.public_id})"
            )
        if done:
            self.message_user(
                request,
                f"{verb.capitalize()} {_count(len(done))}: {', '.join(done)}.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, f"No transaction was {verb}.", messages.WARNING)

    # One transaction, from its page --------------------------------------------------------

    def get_actions_detail(self, request: HttpRequest, object_id) -> list:
        """Only the buttons that can work: release and cancel on a pending transaction, reverse
        on a completed one."""
        tx = self.get_object(request, unquote(str(object_id)))
        status = tx.status if tx else None
        applicable = {
            TransactionStatus.PENDING: {"release_one", "cancel_one"},
            TransactionStatus.COMPLETED: {"reverse_one"},
        }.get(status, set())
        return [
            action
            for action in super().get_actions_detail(request, object_id)
            if action.method.original_function_name in applicable
        ]

    @action(
        description="Release now",
        url_path="release",
        icon="lock_open",
        permissions=["operate_ledger"],
    )
    def release_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one(
            request,
            object_id,
            title="Release this transaction now",
            explanation="The units pending in the destination become spendable at once, "
            "whatever the release date.",
            verb="released",
            operation=lambda tx, form: ledger.release(transaction=tx),
        )

    @action(
        description="Cancel",
        url_path="cancel",
        icon="cancel",
        permissions=["operate_ledger"],
    )
    def cancel_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one(
            request,
            object_id,
            title="Cancel this pending transaction",
            explanation="The units go back to the origin and the transaction is marked "
            "cancelled; it is never released.",
            verb="cancelled",
            operation=lambda tx, form: ledger.cancel(transaction=tx),
        )

    @action(
        description="Reverse…",
        url_path="reverse",
        icon="undo",
        permissions=["operate_ledger"],
    )
    def reverse_one(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._one(
            request,
            object_id,
            title="Reverse this transaction",
            explanation="A new reversal transaction moves the units back from the destination "
            "to the origin, and this one is marked reversed. It is refused if the destination "
            "has already spent the units.",
            verb="reversed",
            operation=lambda tx, form: ledger.reverse(
                transaction=tx, reason=form.cleaned_data["reason"], created_by_user=request.user
            ),
            form_class=ReversalForm,
        )

    def _one(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        title: str,
        explanation: str,
        verb: str,
        operation: Callable,
        form_class=None,
    ) -> HttpResponse:
        """A confirmation page (GET) for one ledger operation, which a POST carries out; back on
        the transaction's page, the banner says what happened and links any new transaction."""
        tx = self.get_object(request, unquote(object_id))
        if tx is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        page = admin_url(tx)
        form = form_class(request.POST or None) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                result = operation(tx, form)
            except LedgerError as exc:
                self.message_user(
                    request,
                    f"{tx.public_id} was not {verb}: {plain_refusal(exc, tx)}",
                    messages.ERROR,
                )
                return HttpResponseRedirect(page)
            if result.pk == tx.pk:
                message = format_html("{} {}.", verb.capitalize(), tx.public_id)
            else:
                message = format_html(
                    "{} {} by the new transaction {}.",
                    verb.capitalize(),
                    tx.public_id,
                    link(result),
                )
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(page)
        side = member_side(tx)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "original": tx,
            "transaction": tx,
            "explanation": explanation,
            "what": describe(tx),
            "holder": side.name,
            "signed_amount": side.signed_amount,
            "form": form,
            "adminform": (
                helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {})
                if form
                else None
            ),
            "submit_label": title.split(" this")[0],
            "cancel_url": page,
        }
        return TemplateResponse(request, "admin/loyalty/transaction/confirm_one.html", context)


def _member_match(term: str) -> Q:
    """Members by membership id or member id (exactly), email (any part) or name: each word
    starts a first name, last name or company name ("mat garc" finds Mateo Garcia)."""
    by_name = Q()
    for word in term.split():
        by_name &= (
            Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(company_name__istartswith=word)
        )
    return Q(membership_id=term) | Q(public_id=term) | Q(email__icontains=term) | by_name
