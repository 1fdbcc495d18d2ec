"""The ledger: the only code that moves units between accounts.

Every movement is one Transaction row plus the matching change to the stored balances, in one
database transaction:

- post:    completed now; units go from the origin's balance to the destination's balance.
- hold:    pending until `release_date` (truncated to the minute); units leave the origin at once
           and sit in the destination's pending balance.
- release: pending -> completed; the destination's pending units become spendable.
- cancel:  pending -> cancelled; the units go back to the origin.
- reverse: completed -> reversed, plus a new `reversal` transaction that moves the units back.
- amend:   edit a pending transaction (amount, release date, details); units move to match.
- supersede: completed -> adjusted or cancelled, plus the new transaction (linked to it by
           `previous`) that moves the difference: a redemption's adjustment or cancellation.
- await_external: pending_external_approval until a partner programme answers; units leave the
           origin at once and sit in the destination's pending balance (never released by date).
- confirm: pending_external_approval -> completed, with the programme's identifier.
- reject:  pending_external_approval -> rejected, with the programme's reason; the units go
           back to the origin (a rejected transaction moves nothing).
- release_due: the sweep that releases every due pending transaction, in batches.

A pending transaction has a row in the release schedule (models.releases.PendingRelease) from
`hold` until it is released or cancelled; the sweep reads the schedule, not the transactions, so
that releasing a transaction writes no index entry (see that module). Whoever changes a pending
transaction takes its schedule row first and the transaction's row second, as the sweep does.

A transaction's `created_at` is the moment it is recorded. `post` and `hold` take an explicit
`created_at` only to record history that happened earlier (the demo data's months of activity,
an import): the balances move now either way, and `now` still decides completed_at and the
release-date check.

Overdraft is refused by the database, not by a Python read: a debit is a conditional
`UPDATE ... WHERE balance - amount >= -credit_limit`, which PostgreSQL re-checks on the newest row
version after waiting for a concurrent writer, and a CHECK constraint backs it.

Lock order: accounts are updated with or after the transaction row's INSERT, members' accounts
first and partners' accounts (the mint included) last, by id within each group. It is one total
order, so two postings can never deadlock on account rows; and the busy rows (an issuing partner,
the mint) are touched last, so their lock is held only for the final statement and the commit.
Inside a unit of work (loyalty.unit_of_work: the partner API's POST and PATCH) partners' accounts
are written even later, by `apply_deferred` as the unit's last statement before COMMIT, once the
response is rendered, together with the unit's last writes (its idempotency record); and the
operations add no savepoint there. `post(late_debit=True)` defers the origin's debit there too
(a hot member paying from many clients, when the answer does not show its balance): the deferred
members' accounts are written first, then the partners', keeping the one lock order.

The statements a posting runs on every request are written once per process as plain SQL, rather
than compiled by the ORM each time, and PostgreSQL keeps them prepared (loyalty.prepared): they
are the ledger's hot path. On PostgreSQL the INSERT of the transaction carries the first
account's UPDATE (a data-modifying WITH query): an accrual in the partner API costs one
statement for its row and its member's credit, and one for its idempotency record and the
partner's debit. The embedded SQLite, which has no such queries, runs them one by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, connections
from django.db import transaction as db_transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from loyalty import sql
from loyalty.errors import (
    CurrencyMismatch,
    InactiveAccountOwner,
    InsufficientFunds,
    InvalidAmount,
    InvalidReleaseDate,
    InvalidTransactionState,
    LedgerError,
)
from loyalty.models import (
    Account,
    Partner,
    PendingRelease,
    StatusMessageCode,
    Transaction,
    TransactionStatus,
    TransactionType,
)
from loyalty.models.transactions import PENDING_STATUSES
from loyalty.unit_of_work import UnitOfWork, atomic
from loyalty.unit_of_work import current as current_unit_of_work

_DETAIL_FIELDS = frozenset(
    {
        "bonus",
        "external_reference",
        "loyalty_system_id",
        "loyalty_system_data",
        "metadata",
        "reason",
        "reason_code",
        "related_data",
    }
)


def post(
    *,
    origin: Account,
    destination: Account,
    amount: int,
    type: str,
    sub_type: str = "",
    created_by_partner: Partner | None = None,
    created_by_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
    created_at: dt.datetime | None = None,
    late_debit: bool = False,
    **details: Any,
) -> Transaction:
    """Move `amount` units now; the transaction is `completed`.

    `details` are the contract's descriptive fields (reason, reason_code, metadata, bonus,
    external_reference, loyalty_system_data, loyalty_system_id, related_data).

    `late_debit`: inside a unit of work, the origin's debit is deferred like a partner's
    account update, to the unit's last statements (members' accounts before partners'), so that
    a row many requests debit (one member paying from many clients) is locked for its UPDATE and
    the commit only. The caller must then not read the origin's new balance before the unit
    ends; a debit beyond the balance is refused at the end, rolling the whole unit back. Outside
    a unit of work it changes nothing.
    """
    now = now or timezone.now()
    return _create(
        origin=origin,
        destination=destination,
        amount=amount,
        type=type,
        sub_type=sub_type,
        status=TransactionStatus.COMPLETED,
        release_date=None,
        completed_at=now,
        created_by_partner=created_by_partner,
        created_by_user=created_by_user,
        details=details,
        created_at=created_at,
        late_debit=late_debit,
    )


def hold(
    *,
    origin: Account,
    destination: Account,
    amount: int,
    type: str,
    release_date: dt.datetime,
    sub_type: str = "",
    created_by_partner: Partner | None = None,
    created_by_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
    created_at: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """Move `amount` units out of the origin now, pending in the destination until release_date.

    The release date is truncated to the minute and must lie in the future once truncated.
    """
    release_date = truncate_to_minute(release_date)
    if release_date <= (now or timezone.now()):
        raise InvalidReleaseDate("The release date must be in the future.")
    return _create(
        origin=origin,
        destination=destination,
        amount=amount,
        type=type,
        sub_type=sub_type,
        status=TransactionStatus.PENDING,
        release_date=release_date,
        completed_at=None,
        created_by_partner=created_by_partner,
        created_by_user=created_by_user,
        details={
            **details,
            "status_message": "The release date has not been reached yet.",
            "status_message_code": StatusMessageCode.RELEASE_DATE_NOT_REACHED,
        },
        created_at=created_at,
    )


@atomic
def release(*, transaction: Transaction, now: dt.datetime | None = None) -> Transaction:
    """Complete a pending transaction now, whatever its release date (staff "release now")."""
    now = now or timezone.now()
    _change_status(
        transaction,
        frm=TransactionStatus.PENDING,
        to=TransactionStatus.COMPLETED,
        completed_at=now,
        action="released",
    )
    _apply(
        {transaction.destination_account_id: (transaction.amount, -transaction.amount)},
        partner_accounts=(),
    )
    return transaction


@atomic
def cancel(*, transaction: Transaction) -> Transaction:
    """Cancel a pending transaction: its units go back from pending to the origin's balance."""
    _change_status(
        transaction,
        frm=TransactionStatus.PENDING,
        to=TransactionStatus.CANCELLED,
        completed_at=None,
        action="cancelled",
    )
    _apply(
        {
            transaction.destination_account_id: (0, -transaction.amount),
            transaction.origin_account_id: (transaction.amount, 0),
        },
        partner_accounts=_partner_accounts(
            transaction.origin_account_id, transaction.destination_account_id
        ),
    )
    return transaction


@atomic
def reverse(
    *,
    transaction: Transaction,
    reason: str,
    created_by_partner: Partner | None = None,
    created_by_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
) -> Transaction:
    """Reverse a completed transaction; return the new `reversal` transaction.

    The reversal takes the units back from the destination's balance, so it is refused when the
    destination has already spent them. It is allowed whatever the owners' status (taking units
    back from a blocked or fraudulent member is what reversals are for).
    """
    now = now or timezone.now()
    # Lock, check and mark the original first (which also refreshes its amount); if the
    # destination then cannot give the units back, the reversal raises and everything rolls
    # back. The caller's object is restored so that it does not claim a status that was undone.
    previous = transaction.status, transaction.completed_at
    _change_status(
        transaction,
        frm=TransactionStatus.COMPLETED,
        to=TransactionStatus.REVERSED,
        completed_at=transaction.completed_at,
        action="reversed",
    )
    try:
        reversal = _create(
            origin=transaction.destination_account,
            destination=transaction.origin_account,
            amount=transaction.amount,
            type=TransactionType.REVERSAL,
            sub_type=transaction.sub_type,
            status=TransactionStatus.COMPLETED,
            release_date=None,
            completed_at=now,
            created_by_partner=created_by_partner,
            created_by_user=created_by_user,
            details={"reason": reason, "reverses": transaction},
            check_owners=False,
        )
    except LedgerError:
        transaction.status, transaction.completed_at = previous
        raise
    return reversal


@atomic
def supersede(
    *,
    transaction: Transaction,
    status: str,
    origin: Account,
    destination: Account,
    amount: int,
    type: str,
    sub_type: str,
    check_owners: bool = True,
    created_by_partner: Partner | None = None,
    created_by_user: AbstractBaseUser | None = None,
    now: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """Mark a completed transaction `adjusted` or `cancelled` and post the one that follows it.

    The new transaction (completed now, `previous` = the superseded one) moves `amount` units
    between the same two accounts, in either direction: a redemption that grows takes more
    from the member, one that shrinks or is cancelled gives units back. The superseded
    transaction keeps its completed_at and its units stay moved (ledger_check counts it
    settled, see models.transactions.SETTLED), so the books hold exactly the chain's new total.
    Only a redemption becomes cancelled once completed (any other completed transaction is
    reversed). Of two concurrent attempts on one transaction only one finds it still completed,
    so a link is superseded at most once (the transaction_previous_unique constraint holds it in
    the database too). `check_owners=False` lets units go back to a member who is no longer active,
    as a reversal does.
    """
    if status not in (TransactionStatus.ADJUSTED, TransactionStatus.CANCELLED):
        raise ValueError(f"A transaction is superseded as adjusted or cancelled, not {status}.")
    if status == TransactionStatus.CANCELLED and transaction.type != TransactionType.REDEMPTION:
        raise InvalidTransactionState(
            f"Transaction {transaction.public_id} is a completed {transaction.type}: only a "
            "redemption is cancelled once completed; reverse it instead."
        )
    accounts = {transaction.origin_account_id, transaction.destination_account_id}
    if {origin.pk, destination.pk} != accounts:
        raise LedgerError(
            f"A transaction that follows {transaction.public_id} moves units between its two "
            "accounts.",
            field="origin",
        )
    now = now or timezone.now()
    previous = transaction.status
    _change_status(
        transaction,
        frm=TransactionStatus.COMPLETED,
        to=status,
        completed_at=transaction.completed_at or now,
        action=str(status),
    )
    try:
        return _create(
            origin=origin,
            destination=destination,
            amount=amount,
            type=type,
            sub_type=sub_type,
            status=TransactionStatus.COMPLETED,
            release_date=None,
            completed_at=now,
            created_by_partner=created_by_partner,
            created_by_user=created_by_user,
            details={**details, "previous": transaction},
            check_owners=check_owners,
        )
    except LedgerError:
        transaction.status = previous
        raise


@atomic
def amend(
    *,
    transaction: Transaction,
    amount: int | None = None,
    release_date: dt.datetime | None = None,
    now: dt.datetime | None = None,
    **details: Any,
) -> Transaction:
    """Edit a pending transaction: its amount (units move to match), release date or details.

    The schedule row is locked first, then the transaction's; a transaction that is no longer
    pending is refused.
    """
    scheduled = PendingRelease.objects.select_for_update().filter(pk=transaction.pk)
    list(scheduled.values_list("pk"))
    locked = Transaction.objects.select_for_update().filter(pk=transaction.pk).first()
    if locked is None or locked.status != TransactionStatus.PENDING:
        raise InvalidTransactionState(
            f"Transaction {transaction.public_id} is {getattr(locked, 'status', 'gone')}; "
            "only a pending transaction can be changed."
        )
    unknown = set(details) - _DETAIL_FIELDS
    if unknown:
        raise TypeError(f"Unknown transaction fields: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = dict(details)
    if release_date is not None:
        release_date = truncate_to_minute(release_date)
        if release_date <= (now or timezone.now()):
            raise InvalidReleaseDate("The release date must be in the future.")
        changes["release_date"] = release_date
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise InvalidAmount("The amount must be a whole number of units greater than zero.")
        delta = amount - locked.amount
        if delta:
            changes["amount"] = amount
            _apply(
                {
                    locked.origin_account_id: (-delta, 0),
                    locked.destination_account_id: (0, delta),
                },
                partner_accounts=_partner_accounts(
                    locked.origin_account_id, locked.destination_account_id
                ),
            )
    if changes:
        Transaction.objects.filter(pk=locked.pk).update(**changes)
        schedule = {key: changes[key] for key in ("release_date", "amount") if key in changes}
        if schedule:
            scheduled.update(**schedule)
        for name, value in changes.items():
            setattr(transaction, name, value)
    return transaction


def await_external(
    *,
    origin: Account,
    destination: Account,
    amount: int,
    type: str,
    sub_type: str = "",
    created_by_partner: Partner | None = None,
    created_by_user: AbstractBaseUser | None = None,
    **details: Any,
) -> Transaction:
    """Move `amount` units out of the origin now, awaiting a partner programme's answer.

    The transaction is `pending_external_approval`: the units sit in the destination's pending
    balance until `confirm` (completed) or `reject` (back to the origin). It has no release date,
    so the release sweep never touches it.
    """
    return _create(
        origin=origin,
        destination=destination,
        amount=amount,
        type=type,
        sub_type=sub_type,
        status=TransactionStatus.PENDING_EXTERNAL_APPROVAL,
        release_date=None,
        completed_at=None,
        created_by_partner=created_by_partner,
        created_by_user=created_by_user,
        details={
            **details,
            "status_message": "Awaiting the approval of the partner programme.",
            "status_message_code": StatusMessageCode.PENDING_EXTERNAL_APPROVAL,
        },
    )


@atomic
def confirm(
    *, transaction: Transaction, loyalty_system_id: str = "", now: dt.datetime | None = None
) -> Transaction:
    """The programme credited it: pending_external_approval -> completed, its identifier kept
    in `loyalty_system_id`; the destination's pending units become its balance."""
    now = now or timezone.now()
    _change_status(
        transaction,
        frm=TransactionStatus.PENDING_EXTERNAL_APPROVAL,
        to=TransactionStatus.COMPLETED,
        completed_at=now,
        action="confirmed",
        **({"loyalty_system_id": loyalty_system_id[:255]} if loyalty_system_id else {}),
    )
    _apply(
        {transaction.destination_account_id: (transaction.amount, -transaction.amount)},
        partner_accounts=_partner_accounts(transaction.destination_account_id),
    )
    return transaction


@atomic
def reject(*, transaction: Transaction, reason: str) -> Transaction:
    """The programme refused it: pending_external_approval -> rejected with `reason` as its
    status message; the units go back from the destination's pending balance to the origin."""
    _change_status(
        transaction,
        frm=TransactionStatus.PENDING_EXTERNAL_APPROVAL,
        to=TransactionStatus.REJECTED,
        completed_at=None,
        action="rejected",
        status_message=(reason or "Rejected by the partner programme.")[:255],
    )
    _apply(
        {
            transaction.destination_account_id: (0, -transaction.amount),
            transaction.origin_account_id: (transaction.amount, 0),
        },
        partner_accounts=_partner_accounts(
            transaction.origin_account_id, transaction.destination_account_id
        ),
    )
    return transaction


def release_due(
    *,
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    concurrency: int | None = None,
) -> int:
    """Release every pending transaction whose release date has passed; return how many.

    Each batch is one database transaction that takes its rows of the release schedule with FOR
    UPDATE SKIP LOCKED, deletes them and completes their transactions: a row that another sweep
    (another process's), an amend or a cancel holds is left to the next batch, and a sweeper
    killed mid-batch leaves its rows pending (its transaction rolls back) for the next sweep.

    A batch is mostly PostgreSQL's work, so one sweep runs `concurrency` sweepers at once
    (LEDGER_RELEASE_CONCURRENCY), each in a database connection of its own and each on its
    share of the schedule (transaction id modulo `concurrency`), so they do not skip over each
    other's rows; each updates its accounts in the ledger's lock order, so they wait for each
    other at worst, never deadlock. Inside an open database transaction (a test, a caller's
    atomic block) other connections could not see its rows, so the sweep then runs in the
    caller's connection alone.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.LEDGER_RELEASE_BATCH_SIZE
    concurrency = concurrency or settings.LEDGER_RELEASE_CONCURRENCY
    if concurrency == 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return _release_all(now=now, batch_size=batch_size, share=(1, 0))

    def sweeper(index: int) -> int:
        try:
            return _release_all(now=now, batch_size=batch_size, share=(concurrency, index))
        finally:
            connections.close_all()  # this thread's connection, not the caller's

    with ThreadPoolExecutor(concurrency, thread_name_prefix="release-due") as pool:
        return sum(pool.map(sweeper, range(concurrency)))


def _release_all(*, now: dt.datetime, batch_size: int, share: tuple[int, int]) -> int:
    released = 0
    while True:
        due, count = _release_batch(now=now, batch_size=batch_size, share=share)
        released += count
        if due < batch_size:
            return released


@db_transaction.atomic
def _release_batch(*, now: dt.datetime, batch_size: int, share: tuple[int, int]) -> tuple[int, int]:
    """Release up to `batch_size` due transactions of this sweeper's `share` (sweepers, this
    one's index), oldest release date first; return how many were due and how many released.

    On PostgreSQL one statement takes the batch's schedule rows, deletes them, completes their
    transactions and sums the units per destination account; the ids never travel to Python and
    back. Whoever changes a pending transaction holds its schedule row first (see
    _change_status), so a transaction whose schedule row this batch holds is locked by nobody
    else, and the sweep never waits for a row lock before the accounts'.
    """
    if connection.vendor == "postgresql":
        sweepers, index = share
        with connection.cursor() as cursor:
            cursor.execute(
                # Planned for each batch's cutoff and size, not kept prepared: a plan made
                # once for any cutoff reads the due rows more slowly, and planning is nothing
                # beside releasing a thousand of them.
                sql.written("ledger-release-batch", _release_batch_sql, keep_prepared=False),
                {
                    "now": now,
                    "size": batch_size,
                    "sweepers": sweepers,
                    "index": index,
                    "pending": TransactionStatus.PENDING.value,
                    "completed": TransactionStatus.COMPLETED.value,
                },
            )
            rows = cursor.fetchall()
        due = rows[0][3]
        totals = {account_id: int(total) for account_id, total, _, _ in rows if account_id}
        if totals:
            _release_pending(totals)
        return due, sum(count for account_id, _, count, _ in rows if account_id)
    due_ids = list(
        PendingRelease.objects.filter(release_date__lte=now)
        .order_by("release_date", "transaction_id")
        .values_list("transaction_id", flat=True)[:batch_size]
    )
    if not due_ids:
        return 0, 0
    PendingRelease.objects.filter(pk__in=due_ids).delete()
    pending = Transaction.objects.filter(pk__in=due_ids, status=TransactionStatus.PENDING)
    rows = list(pending.values_list("id", "destination_account_id", "amount"))
    pending.update(
        status=TransactionStatus.COMPLETED,
        completed_at=now,
        status_message=None,
        status_message_code=None,
    )
    per_account: dict[int, int] = defaultdict(int)
    for _, account_id, amount in rows:
        per_account[account_id] += amount
    if per_account:
        _release_pending(per_account)
    return len(due_ids), len(rows)


def _release_batch_sql() -> str:
    """One batch: (destination account, units, transactions, due rows) per account released
    into, or a single row (NULL, NULL, 0, due rows) when none was released."""
    schedule = sql.quote(PendingRelease._meta.db_table)
    table = sql.quote(Transaction._meta.db_table)
    return (
        f"WITH due AS (SELECT transaction_id FROM {schedule} WHERE release_date <= %(now)s "
        "AND transaction_id %% %(sweepers)s = %(index)s "
        "ORDER BY release_date, transaction_id LIMIT %(size)s FOR UPDATE SKIP LOCKED), "
        f"gone AS (DELETE FROM {schedule} AS scheduled USING due "
        "WHERE scheduled.transaction_id = due.transaction_id RETURNING scheduled.transaction_id), "
        f"released AS (UPDATE {table} AS tx SET status = %(completed)s, completed_at = %(now)s, "
        "status_message = NULL, status_message_code = NULL FROM gone "
        "WHERE tx.id = gone.transaction_id AND tx.status = %(pending)s "
        "RETURNING tx.destination_account_id, tx.amount) "
        "SELECT released.destination_account_id, SUM(released.amount), COUNT(released.amount), "
        "batch.due FROM (SELECT COUNT(*) AS due FROM due) AS batch "
        "LEFT JOIN released ON true GROUP BY released.destination_account_id, batch.due"
    )


def truncate_to_minute(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise InvalidReleaseDate("The release date needs a time zone (e.g. a trailing Z).")
    return moment.replace(second=0, microsecond=0)


# Internals ----------------------------------------------------------------------------------


@atomic
def _create(
    *,
    origin: Account,
    destination: Account,
    amount: int,
    type: str,
    sub_type: str,
    status: str,
    release_date: dt.datetime | None,
    completed_at: dt.datetime | None,
    created_by_partner: Partner | None,
    created_by_user: AbstractBaseUser | None,
    details: Mapping[str, Any],
    check_owners: bool = True,
    created_at: dt.datetime | None = None,
    late_debit: bool = False,
) -> Transaction:
    internal = {"status_message", "status_message_code", "reverses", "previous"}
    unknown = set(details) - _DETAIL_FIELDS - internal
    if unknown:
        raise TypeError(f"Unknown transaction fields: {', '.join(sorted(unknown))}")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount("The amount must be a whole number of units greater than zero.")
    if origin.loyalty_currency_id != destination.loyalty_currency_id:
        raise CurrencyMismatch("The origin and destination accounts hold different currencies.")
    if origin.pk == destination.pk:
        raise LedgerError("The origin and destination must be different accounts.", field="origin")
    if check_owners:
        _check_owners_active(origin, destination)

    tx = Transaction(
        loyalty_currency_id=origin.loyalty_currency_id,
        origin_account=origin,
        destination_account=destination,
        amount=amount,
        type=type,
        sub_type=sub_type,
        status=status,
        release_date=release_date,
        completed_at=completed_at,
        created_by_partner=created_by_partner,
        created_by_user=created_by_user,
        **({"created_at": created_at} if created_at else {}),
        **details,
    )
    credit_pending = status in PENDING_STATUSES
    now_written = _planned(
        {
            origin.pk: (-amount, 0),
            destination.pk: (0, amount) if credit_pending else (amount, 0),
        },
        partner_accounts={a.pk for a in (origin, destination) if a.partner_id},
        late={origin.pk} if late_debit else (),
    )
    unscheduled = status == TransactionStatus.PENDING
    if now_written and connection.vendor == "postgresql":
        # The INSERT carries the first account's UPDATE, and a hold's schedule row: one round
        # trip for all three.
        first, *rest = now_written
        statement, params = _balance_update(*first)
        then = (_schedule_inserted_sql(), [release_date, amount]) if unscheduled else None
        if not sql.insert_with(tx, write=statement, params=params, then=then):
            _refuse(first[0], first[1])
        unscheduled = False
    else:
        sql.insert(tx)
        rest = now_written
    for change in rest:
        _update_balance(*change)
    if unscheduled:
        with connection.cursor() as cursor:
            cursor.execute(
                sql.written("ledger-schedule", _schedule_sql), [tx.pk, release_date, amount]
            )
    return tx


_SCHEDULE_COLUMNS = "(transaction_id, release_date, amount)"


def _schedule_sql() -> str:
    table = sql.quote(PendingRelease._meta.db_table)
    return f"INSERT INTO {table} {_SCHEDULE_COLUMNS} VALUES (%s, %s, %s)"


def _schedule_inserted_sql() -> str:
    """The schedule row of the transaction a combined INSERT (sql.insert_with) writes."""
    table = sql.quote(PendingRelease._meta.db_table)
    pk = sql.quote(Transaction._meta.pk.column)
    return f"INSERT INTO {table} {_SCHEDULE_COLUMNS} SELECT {pk}, %s, %s FROM inserted"


def _check_owners_active(*accounts: Account) -> None:
    """Only an active member or partner may spend or receive units."""
    missing = [
        a.pk for a in accounts if not (Account.member.is_cached(a) and Account.partner.is_cached(a))
    ]
    loaded = Account.objects.select_related("member", "partner").in_bulk(missing) if missing else {}
    for account in accounts:
        owner_account = loaded.get(account.pk, account)
        owner = owner_account.member or owner_account.partner
        if not owner.is_active:
            kind = "member" if owner_account.member_id else "partner"
            raise InactiveAccountOwner(
                f"The {kind} owning account {owner_account.public_id} is {owner.status}; "
                "only active members and partners may receive or spend units.",
                field="member" if kind == "member" else "origin",
            )


def _change_status(
    tx: Transaction,
    *,
    frm: str,
    to: str,
    completed_at: dt.datetime | None,
    action: str,
    **explained: str,
) -> None:
    """Move a transaction from one status to another, refusing if it is no longer in `frm`;
    `explained` sets status fields in the same UPDATE (a status_message, a loyalty_system_id).

    The row is locked and read first: of two concurrent attempts only one finds it still in
    `frm`, so a transaction is released, cancelled or reversed at most once; and the amount the
    caller then moves is the stored one (an amend may have changed it since the caller read it).
    A pending transaction's schedule row goes before that, in the sweep's lock order.
    """
    if frm == TransactionStatus.PENDING:
        PendingRelease.objects.filter(pk=tx.pk).delete()
    stored = (
        Transaction.objects.select_for_update()
        .filter(pk=tx.pk)
        .values("status", "amount", "origin_account_id", "destination_account_id")
        .first()
    )
    if stored is None or stored["status"] != frm:
        current = stored["status"] if stored else "missing"
        raise InvalidTransactionState(
            f"Transaction {tx.public_id} is {current}; only a {frm} transaction can be {action}."
        )
    fields = {"status_message": None, "status_message_code": None, **explained}
    Transaction.objects.filter(pk=tx.pk).update(status=to, completed_at=completed_at, **fields)
    tx.amount = stored["amount"]
    tx.status, tx.completed_at = to, completed_at
    for name, value in fields.items():
        setattr(tx, name, value)


def _partner_accounts(*account_ids: int) -> set[int]:
    """Which of these accounts belong to partners (they are locked last)."""
    rows = Account.objects.filter(pk__in=account_ids, partner__isnull=False)
    return set(rows.values_list("pk", flat=True))


def _apply(
    changes: Mapping[int, tuple[int, int]],
    *,
    partner_accounts: Collection[int],
    late: Collection[int] = (),
) -> None:
    """Add (balance delta, pending delta) to each account, in the ledger's lock order
    (members' accounts, then `partner_accounts`, each by id); inside a unit of work the
    partners' accounts, and the `late` ones, are deferred to `apply_deferred`.

    A change that lowers a balance is conditional on the account staying within its credit
    limit (members have none, the mint has no limit); if the row does not qualify the whole
    operation is refused with InsufficientFunds and the surrounding transaction rolls back.
    """
    for change in _planned(changes, partner_accounts=partner_accounts, late=late):
        _update_balance(*change)


def _planned(
    changes: Mapping[int, tuple[int, int]],
    *,
    partner_accounts: Collection[int],
    late: Collection[int] = (),
) -> list[tuple[int, int, int]]:
    """The changes of `_apply` to write now, as (account id, balance delta, pending delta) in
    the lock order, once the unit of work (if one is open) has taken the ones it defers."""
    unit = current_unit_of_work()
    now_written = []
    for account_id in sorted(changes, key=lambda pk: (pk in partner_accounts, pk)):
        balance_delta, pending_delta = changes[account_id]
        if balance_delta == 0 and pending_delta == 0:
            continue
        if unit is not None and (account_id in partner_accounts or account_id in late):
            member = account_id not in partner_accounts
            unit.defer(account_id, balance_delta, pending_delta, member=member)
            continue
        now_written.append((account_id, balance_delta, pending_delta))
    return now_written


def apply_deferred(unit: UnitOfWork) -> None:
    """Write a unit of work's deferred account changes in the lock order (members' accounts,
    then partners', each by id), as its last statements: each account's deltas of the whole
    unit in one conditional UPDATE.

    The unit's last writes (UnitOfWork.write_last: the idempotency record of the answer) go
    with the first of these UPDATEs on PostgreSQL, as data-modifying WITH queries of the same
    statement: the request's final writes cost one round trip, not two. They touch only rows
    of the request's own, so they add no lock to the order.
    """
    riders = list(unit.last_writes)
    unit.last_writes.clear()
    for account_id in sorted(unit.deferred, key=lambda pk: (pk not in unit.members, pk)):
        balance_delta, pending_delta = unit.deferred[account_id]
        if balance_delta or pending_delta:
            _update_balance(account_id, balance_delta, pending_delta, riders=riders)
            riders = []
    unit.deferred.clear()
    unit.members.clear()
    if riders:
        with connection.cursor() as cursor:
            for statement, params in riders:
                cursor.execute(statement, params)


def _update_balance(
    account_id: int,
    balance_delta: int,
    pending_delta: int,
    *,
    riders: Sequence[tuple[str, Sequence]] = (),
) -> None:
    """One account's UPDATE; a debit only while the account stays within its credit.

    `riders` are writes with nothing to check that go with it: in the same statement on
    PostgreSQL (data-modifying WITH queries), just before it elsewhere."""
    statement, params = _balance_update(account_id, balance_delta, pending_delta)
    with connection.cursor() as cursor:
        if riders and connection.vendor == "postgresql":
            statement, params = sql.with_writes(riders, statement, params)
        else:
            for rider, rider_params in riders:
                cursor.execute(rider, rider_params)
        cursor.execute(statement, params)
        updated = cursor.rowcount
    if not updated:
        _refuse(account_id, balance_delta)


def _balance_update(account_id: int, balance_delta: int, pending_delta: int) -> tuple[str, list]:
    """The conditional UPDATE of one account's balances, and its params."""
    if balance_delta < 0:
        return (
            sql.written("ledger-debit", _debit_sql),
            [balance_delta, pending_delta, account_id, balance_delta],
        )
    return sql.written("ledger-credit", _credit_sql), [balance_delta, pending_delta, account_id]


def _refuse(account_id: int, balance_delta: int) -> None:
    public_id = Account.objects.filter(pk=account_id).values_list("public_id", flat=True)
    raise InsufficientFunds(
        f"Account {public_id.first()} does not hold {-balance_delta} units to spend."
    )


def _debit_sql() -> str:
    return f"{_credit_sql()} AND (credit_limit IS NULL OR balance + %s >= -credit_limit)"


def _credit_sql() -> str:
    return (
        f"UPDATE {sql.quote(Account._meta.db_table)} SET balance = balance + %s, "
        "pending_balance = pending_balance + %s WHERE id = %s"
    )


def _release_pending(per_account: Mapping[int, int]) -> None:
    """Move released units from pending to balance for many accounts in one statement.

    The rows are locked first, in the ledger's lock order (FOR NO KEY UPDATE, which does not
    block the key-share locks of concurrent inserts referencing them), so that concurrent sweeps
    and postings cannot deadlock. On PostgreSQL the account ids and amounts travel as two
    arrays, so the two statements are the same text for any batch and Python adapts two
    parameters, not two per account; elsewhere the update joins a VALUES list (column1 =
    account id, column2 = amount) instead of a CASE per account.
    """
    if connection.vendor == "postgresql":
        ids = list(per_account)
        with connection.cursor() as cursor:
            cursor.execute(sql.written("ledger-release-lock", _release_lock_sql), [ids])
            cursor.execute(
                sql.written("ledger-release-credit", _release_credit_sql),
                [ids, [per_account[pk] for pk in ids]],
            )
        return
    is_partner = ExpressionWrapper(Q(partner__isnull=False), output_field=BooleanField())
    locked = (
        Account.objects.select_for_update(no_key=True)
        .filter(pk__in=per_account)
        .order_by(is_partner, "pk")
    )
    list(locked.values_list("pk"))
    table = connection.ops.quote_name(Account._meta.db_table)
    rows = ", ".join(["(%s, %s)"] * len(per_account))
    params = [value for pair in per_account.items() for value in pair]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET balance = {table}.balance + CAST(released.column2 AS BIGINT), "
            f"pending_balance = {table}.pending_balance - CAST(released.column2 AS BIGINT) "
            f"FROM (VALUES {rows}) AS released "
            f"WHERE {table}.id = CAST(released.column1 AS BIGINT)",
            params,
        )


def _release_lock_sql() -> str:
    return (
        f"SELECT id FROM {sql.quote(Account._meta.db_table)} WHERE id = ANY(%s::bigint[]) "
        "ORDER BY partner_id IS NOT NULL, id FOR NO KEY UPDATE"
    )


def _release_credit_sql() -> str:
    table = sql.quote(Account._meta.db_table)
    return (
        f"UPDATE {table} AS account SET balance = account.balance + released.amount, "
        "pending_balance = account.pending_balance - released.amount "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS released (id, amount) "
        "WHERE account.id = released.id"
    )
