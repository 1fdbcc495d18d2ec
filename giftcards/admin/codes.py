"""Codes, their redemptions and the imports that loaded them.

Codes are read-only here: they are loaded by imports and change only through the services
(issue, redeem, void, refund). The code, PIN and barcode string are shown only to staff with
the "Can see gift-card codes and PINs" permission (giftcards.view_gift_card_secrets); anyone may
search a code by its text, which is hashed and matched, never stored or logged. The list exports
to CSV or XLSX (django-import-export) without the secret fields.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from import_export import fields, resources
from import_export.admin import ExportActionMixin
from unfold.contrib.import_export.forms import ExportForm

from giftcards import secrets
from giftcards.errors import GiftCardCodeNotCancellable
from giftcards.models import GiftCardCode, GiftCardCodeImport, GiftCardRedemption, ImportStatus
from giftcards.services.imports import import_progress
from giftcards.services.redemption import code_cancel
from loyalty.admin.base import ReadOnlyAdmin, ReadOnlyInline
from loyalty.admin.display import EMPTY, link
from loyalty.errors import LedgerError

SECRETS_PERMISSION = "giftcards.view_gift_card_secrets"
HIDDEN = "•••• (needs the permission to see gift-card codes)"
SECRET_FIELDS = ("gift_card_code", "pin", "barcode_string")


class RedemptionInline(ReadOnlyInline):
    model = GiftCardRedemption
    fields = ["created_at", "fiat_amount", "channel", "external_reference", "partner", "metadata"]
    readonly_fields = fields


class GiftCardCodeResource(resources.ModelResource):
    """The codes list as a spreadsheet (django-import-export): stock and issues, never the code,
    its PIN or its barcode string."""

    gift_card = fields.Field(attribute="gift_card__public_id", column_name="gift_card")
    gift_card_name = fields.Field(attribute="gift_card__name", column_name="gift_card_name")

    class Meta:
        model = GiftCardCode
        fields = (
            "public_id",
            "gift_card",
            "gift_card_name",
            "denomination",
            "expiration_date",
            "status",
            "redemption_status",
            "fiat_amount",
            "fiat_balance",
            "issue_kind",
            "issued_at",
            "member_reference",
            "loyalty_amount",
            "external_reference",
            "cancelled_at",
            "created_at",
        )
        export_order = fields


@admin.register(GiftCardCode)
class GiftCardCodeAdmin(ExportActionMixin, ReadOnlyAdmin):
    resource_classes = [GiftCardCodeResource]
    export_form_class = ExportForm
    list_display = [
        "public_id",
        "gift_card",
        "denomination",
        "status",
        "redemption_status",
        "fiat_balance",
        "expiration_date",
        "issued_at",
    ]
    list_filter = ["status", "redemption_status", "issue_kind", "gift_card"]
    search_fields = ["=public_id"]
    search_help_text = "Code id (gcc_…) or the code itself (matched by its hash)."
    list_select_related = ["gift_card"]
    actions = ["void_codes"]
    inlines = [RedemptionInline]
    fields = [
        "public_id",
        "gift_card",
        "gift_card_code",
        "pin",
        "barcode_string",
        "denomination",
        "expiration_date",
        "status",
        "redemption_status",
        "fiat_amount",
        "fiat_balance",
        "issue_kind",
        "issued_at",
        "issued_by_partner",
        "member_link",
        "member_reference",
        "loyalty_currency",
        "loyalty_amount",
        "transaction_link",
        "refund_link",
        "external_reference",
        "partner_code",
        "cancelled_at",
        "import_batch",
        "created_at",
    ]
    readonly_fields = fields

    def _may_see(self, request: HttpRequest) -> bool:
        return request.user.has_perm(SECRETS_PERMISSION)

    def get_fields(self, request, obj=None):
        """The secret fields themselves for staff with the permission, a mask for the others
        (chosen per request: the admin instance is shared by every request)."""
        if self._may_see(request):
            return self.fields
        return [f"{name}_hidden" if name in SECRET_FIELDS else name for name in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="Code")
    def gift_card_code(self, obj: GiftCardCode) -> str:
        return secrets.unseal(obj.code_encrypted)

    @admin.display(description="PIN")
    def pin(self, obj: GiftCardCode) -> str:
        return secrets.unseal(obj.pin_encrypted) or EMPTY

    @admin.display(description="Barcode string")
    def barcode_string(self, obj: GiftCardCode) -> str:
        return secrets.unseal(obj.barcode_encrypted) or EMPTY

    @admin.display(description="Code")
    def gift_card_code_hidden(self, obj: GiftCardCode) -> str:
        return HIDDEN

    @admin.display(description="PIN")
    def pin_hidden(self, obj: GiftCardCode) -> str:
        return HIDDEN if obj.pin_encrypted else EMPTY

    @admin.display(description="Barcode string")
    def barcode_string_hidden(self, obj: GiftCardCode) -> str:
        return HIDDEN if obj.barcode_encrypted else EMPTY

    @admin.display(description="Member")
    def member_link(self, obj: GiftCardCode) -> SafeString | str:
        return link(obj.member) if obj.member_id else EMPTY

    @admin.display(description="Transaction")
    def transaction_link(self, obj: GiftCardCode) -> SafeString | str:
        return link(obj.transaction, obj.transaction.public_id) if obj.transaction_id else EMPTY

    @admin.display(description="Refund")
    def refund_link(self, obj: GiftCardCode) -> SafeString | str:
        if not obj.refund_transaction_id:
            return EMPTY
        return link(obj.refund_transaction, obj.refund_transaction.public_id)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not term.startswith("gcc_"):
            results = results | queryset.filter(code_hash=secrets.code_hash(term))
        return results, may_have_duplicates

    def has_void_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("giftcards.change_giftcardcode")

    @admin.action(
        description="Void the selected codes (refunding points of unredeemed ones bought with "
        "points)",
        permissions=["void"],
    )
    def void_codes(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = 0
        for code in queryset:
            try:
                code_cancel(code=code, user=request.user, reason="Gift card code voided by staff")
            except (GiftCardCodeNotCancellable, LedgerError) as exc:
                self.message_user(request, f"{code.public_id}: {exc.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, f"Voided {done} code(s).", messages.SUCCESS)


@admin.register(GiftCardCodeImport)
class GiftCardCodeImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "gift_card", "filename", "status", "progress", "error_count"]
    list_filter = ["status"]
    list_select_related = ["gift_card"]
    fields = [
        "gift_card",
        "filename",
        "status",
        "progress",
        "total_rows",
        "created_codes",
        "created_by",
        "created_at",
        "finished_at",
        "report",
    ]
    readonly_fields = fields

    @admin.display(description="Progress")
    def progress(self, obj: GiftCardCodeImport) -> str:
        if obj.status == ImportStatus.RUNNING:
            done = import_progress(obj)
            if done is None:
                return "validating…"
            stored, total = done
            return f"{stored:,} of {total:,} codes stored ({100 * stored // max(total, 1)}%)"
        if obj.status == ImportStatus.PENDING:
            return "waiting for a worker"
        return f"{obj.created_codes:,} codes stored"

    @admin.display(description="Refused lines")
    def error_count(self, obj: GiftCardCodeImport) -> int:
        return len(obj.errors)

    @admin.display(description="Report")
    def report(self, obj: GiftCardCodeImport) -> SafeString | str:
        if not obj.errors:
            return EMPTY
        rows = "".join(
            format_html("<tr><td>{}</td><td>{}</td></tr>", e["line"], e["message"])
            for e in obj.errors
        )
        return format_html(
            "<table><thead><tr><th>Line</th><th>Error</th></tr></thead><tbody>{}</tbody></table>",
            SafeString(rows),
        )
