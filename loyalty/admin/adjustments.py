"""The staff page that credits or debits one member's balance through the adjustment services."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from loyalty.admin.display import admin_url, link, units
from loyalty.admin.forms import BalanceAdjustmentForm
from loyalty.errors import DomainError
from loyalty.models import Member
from loyalty.services.adjustments import member_manual_credit, member_manual_debit


def balance_adjustment_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, member: Member
) -> HttpResponse:
    """Show the form; on a valid post move the units and go back where the agent came from.

    A refusal by the ledger (a debit beyond the balance, a blocked member) is shown on the form
    and changes nothing. `member` carries the balance annotations of MemberAdmin.get_queryset.
    """
    next_url = _safe_next(request)
    form = BalanceAdjustmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credit = form.cleaned_data["direction"] == BalanceAdjustmentForm.CREDIT
        service = member_manual_credit if credit else member_manual_debit
        amount = form.cleaned_data["amount"]
        try:
            tx = service(
                member=member,
                amount=amount,
                reason=form.cleaned_data["reason"],
                reason_code=form.cleaned_data["reason_code"],
                user=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            code = member.loyalty_currency.code
            summary = (
                f"Credited {units(amount)} {code} to {member.membership_id}"
                if credit
                else f"Debited {units(amount)} {code} from {member.membership_id}"
            )
            model_admin.log_change(request, member, f"{summary} ({tx.public_id}): {tx.reason}")
            # The banner links the new transaction, so the agent can check or reverse it.
            banner = format_html("{} ({}).", summary, link(tx, tx.public_id))
            model_admin.message_user(request, banner, messages.SUCCESS)
            return HttpResponseRedirect(next_url or admin_url(member))

    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Credit or debit {member}",
        "opts": model_admin.opts,
        "member": member,
        "balance": units(member.account_balance),
        "pending_balance": units(member.account_pending_balance),
        "currency_code": member.loyalty_currency.code,
        "adminform": helpers.AdminForm(
            form, [(None, {"fields": ["direction", "amount", "reason_code", "reason"]})], {}
        ),
        "form": form,
        "next_url": next_url,
        "cancel_url": next_url or admin_url(member),
    }
    return TemplateResponse(request, "admin/loyalty/member/adjust_balance.html", context)


def _safe_next(request: HttpRequest) -> str | None:
    """The page to return to, if it is on this site (never redirect elsewhere on a parameter)."""
    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None
