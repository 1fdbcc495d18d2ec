"""The admin's CSV exports: which columns each kind writes, read from the filtered queryset.

Transactions are seen from the member's side (the signed amount is what the member gained or
lost; a movement between partners is signed from its destination's side), with the reason, who
created it (a partner's API identifier or a staff user's name) and the external reference.
Member balances are one line per member of their programme's currency. Rows come through a
server-side cursor (loyalty.reports.streaming), so the export's memory does not grow with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from loyalty.models import Account, ExportKind
from loyalty.reports.streaming import contract_datetime, server_side


@dataclass(frozen=True)
class ExportFormat:
    header: Sequence[str]
    fields: Sequence[str]  # values_list of the queryset
    row: Callable[[tuple], list[Any]]
    prepare: Callable[[QuerySet], QuerySet] = lambda queryset: queryset


def _transaction_row(values: tuple) -> list[Any]:
    (
        created_at,
        public_id,
        currency,
        type_,
        sub_type,
        status,
        amount,
        origin_member,
        destination_member,
        origin_account,
        destination_account,
        reason,
        reason_code,
        partner,
        user,
        external_reference,
    ) = values
    if destination_member:
        member, signed = destination_member, amount
    elif origin_member:
        member, signed = origin_member, -amount
    else:
        member, signed = "", amount
    return [
        contract_datetime(created_at),
        public_id,
        currency,
        type_,
        sub_type,
        status,
        member,
        signed,
        origin_account,
        destination_account,
        reason,
        reason_code,
        partner or user or "",
        external_reference,
    ]


TRANSACTIONS = ExportFormat(
    header=[
        "created_at",
        "id",
        "loyalty_currency",
        "type",
        "sub-type",
        "status",
        "member",
        "signed_amount",
        "origin",
        "destination",
        "reason",
        "reason_code",
        "created_by",
        "external_reference",
    ],
    fields=[
        "created_at",
        "public_id",
        "loyalty_currency__code",
        "type",
        "sub_type",
        "status",
        "amount",
        "origin_account__member__membership_id",
        "destination_account__member__membership_id",
        "origin_account__public_id",
        "destination_account__public_id",
        "reason",
        "reason_code",
        "created_by_partner__api_identifier",
        "created_by_user__username",
        "external_reference",
    ],
    row=_transaction_row,
)


def _with_balances(queryset: QuerySet) -> QuerySet:
    account = Account.objects.filter(
        member=OuterRef("pk"), loyalty_currency=OuterRef("loyalty_currency")
    )
    return queryset.annotate(
        export_balance=Subquery(account.values("balance")[:1]),
        export_pending=Subquery(account.values("pending_balance")[:1]),
    )


MEMBER_BALANCES = ExportFormat(
    header=[
        "membership_id",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "status",
        "tier",
        "loyalty_currency",
        "balance",
        "pending_balance",
    ],
    fields=[
        "membership_id",
        "first_name",
        "last_name",
        "company_name",
        "email",
        "status",
        "tier__code",
        "loyalty_currency__code",
        "export_balance",
        "export_pending",
    ],
    row=lambda values: [*values[:8], values[8] or 0, values[9] or 0],
    prepare=_with_balances,
)

FORMATS: dict[str, ExportFormat] = {
    ExportKind.TRANSACTIONS: TRANSACTIONS,
    ExportKind.MEMBER_BALANCES: MEMBER_BALANCES,
}


def export_rows(kind: str, queryset: QuerySet) -> Iterator[list[Any]]:
    """The export's rows (without the header), through a server-side cursor."""
    export_format = FORMATS[kind]
    rows = export_format.prepare(queryset).values_list(*export_format.fields)
    return (export_format.row(values) for values in server_side(rows))
