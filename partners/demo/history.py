"""Months of dated activity for the members a run creates, recorded as the partner API records it.

Each member joins on a day of the last HISTORY_DAYS and lives a habit (frequent flyer, hotel
regular, occasional): sign-up, flights and stays go through the activity and purchase rule
services (so every award carries its related_data and RuleAward rows, as over the API), dated
when they happened; birthdays and reviews through the activity rules; some pay a hotel night
with points, a few get a goodwill credit from staff, one flight booking is cancelled and one
stay reversed. Balances move only through loyalty.ledger. The tiers are then recomputed, so
that each member's tier is what their earnings reach.
"""

import contextlib
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser

from loyalty import ledger
from loyalty.errors import LedgerError
from loyalty.models import (
    Account,
    ExecutionStatus,
    LoyaltyCurrency,
    Member,
    ReasonCode,
    TransactionStatus,
    TransactionSubType,
    TransactionType,
)
from loyalty.selectors import member_account, mint_account
from loyalty.services.activity_rules import activity_rules_trigger
from loyalty.services.purchase_rules import purchase_rule_execution_cancel, purchase_rules_trigger
from loyalty.services.tiers import tiers_recompute
from partners.demo import catalogue


@dataclass(frozen=True)
class Habit:
    name: str
    flights: tuple[int, int]  # how many in the member's history
    stays: tuple[int, int]
    share: int  # members in every ten


HABITS = (
    Habit("frequent flyer", (4, 5), (0, 1), 1),
    Habit("new or dormant", (0, 0), (0, 0), 1),
    Habit("hotel regular", (0, 1), (1, 3), 3),
    Habit("occasional", (0, 0), (0, 1), 5),
)


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    kind: str  # flight, stay, birthday, review, redeem, goodwill


def history_create(
    *,
    members: list[Member],
    currency: LoyaltyCurrency,
    accounts: dict[str, Account],
    staff: AbstractBaseUser,
    now: dt.datetime,
) -> None:
    rng = random.Random(catalogue.HISTORY_SEED)
    owner, air, hotels = currency.owner, accounts["example-air"], accounts["example-hotels"]
    start = now - dt.timedelta(days=catalogue.HISTORY_DAYS)
    ledger.post(
        origin=mint_account(loyalty_currency=currency),
        destination=hotels,
        amount=catalogue.HOTELS_PURCHASE,
        type=TransactionType.LOYALTY_CURRENCY_PURCHASE,
        sub_type=TransactionSubType.BUY,
        reason="Units bought to award to hotel guests",
        created_by_partner=hotels.partner,
        now=start,
        created_at=start,
    )
    bookings = []  # recent pending flights, one of which is cancelled
    stays = []
    for member in members:
        habit = rng.choices(HABITS, weights=[h.share for h in HABITS])[0]
        joined = start + dt.timedelta(
            days=rng.randint(0, catalogue.HISTORY_DAYS - 14), hours=rng.randint(7, 21)
        )
        identifiers = member.loyalty_program_identifiers
        activity_rules_trigger(
            partner=owner,
            loyalty_currency=currency,
            member_identifiers=identifiers,
            activity_ids=["signup"],
            at=joined,
        )
        for event in _events(rng, habit=habit, member=member, joined=joined, now=now):
            if event.kind == "flight":
                booking = _flight(rng, currency, air, identifiers, at=event.at, now=now)
                if booking.release_date:
                    bookings.append(booking)
            elif event.kind == "stay":
                stays.append(_stay(rng, currency, hotels, identifiers, at=event.at))
                if rng.random() < 0.4 and event.at + dt.timedelta(days=2) < now:
                    activity_rules_trigger(
                        partner=hotels.partner,
                        loyalty_currency=currency,
                        member_identifiers=identifiers,
                        activity_ids=["review"],
                        at=event.at + dt.timedelta(days=2),
                    )
            elif event.kind == "birthday":
                activity_rules_trigger(
                    partner=owner,
                    loyalty_currency=currency,
                    member_identifiers=identifiers,
                    activity_ids=["birthday"],
                    at=event.at,
                )
            elif event.kind == "redeem":
                _redeem(rng, member, hotels, at=event.at)
            elif event.kind == "goodwill":
                _goodwill(rng, member, staff, at=event.at)
    pending = [booking for booking in bookings if booking.status == ExecutionStatus.PENDING]
    if pending:
        purchase_rule_execution_cancel(execution=pending[0])
    if stays:
        _reverse_one(stays[-1])
    tiers_recompute(loyalty_currency=currency, now=now)


def _reverse_one(execution) -> None:
    """A stay refunded by the hotel: its points are taken back (if the member still has them)."""
    stay = execution.transactions.filter(status=TransactionStatus.COMPLETED).first()
    if stay is None:
        return
    # If the member spent the points meanwhile, a real programme would not reverse either.
    with contextlib.suppress(LedgerError):
        ledger.reverse(transaction=stay, reason="Stay cancelled: refunded by the hotel")


def _events(rng: random.Random, *, habit: Habit, member: Member, joined, now) -> list[Event]:
    span = (now - joined).total_seconds()

    def moment() -> dt.datetime:
        at = joined + dt.timedelta(seconds=rng.uniform(3600, span - 3600))
        return at.replace(microsecond=0)

    events = [Event(moment(), "flight") for _ in range(rng.randint(*habit.flights))]
    events += [Event(moment(), "stay") for _ in range(rng.randint(*habit.stays))]
    birthday = member.birth_date.replace(year=now.year)
    birthday_at = dt.datetime.combine(birthday, dt.time(9, 0), tzinfo=dt.UTC)
    if joined < birthday_at < now:
        events.append(Event(birthday_at, "birthday"))
    if rng.random() < 0.3 and habit.stays[1]:
        events.append(Event(moment(), "redeem"))
    if rng.random() < 0.1:
        events.append(Event(moment(), "goodwill"))
    return sorted(events, key=lambda event: event.at)


def _flight(rng, currency, air, identifiers, *, at, now):
    """A flight booked at `at`; booked in the last three weeks, its points wait for the trip."""
    release_date = None
    if now - at < dt.timedelta(days=21):
        release_date = now + dt.timedelta(days=rng.randint(2, 30), hours=rng.randint(0, 23))
    fiat_currency = rng.choice(("EUR", "EUR", "EUR", "GBP", "USD"))
    return purchase_rules_trigger(
        partner=air.partner,
        loyalty_currency=currency,
        member=identifiers,
        fiat_amount=Decimal(rng.randint(120, 1400)),
        fiat_currency=fiat_currency,
        tags=frozenset({"flight"}),
        metadata={"route": rng.choice(catalogue.ROUTES)},
        reason="Flight",
        external_reference=f"AIR-{rng.randrange(16**6):06X}",
        release_date=release_date,
        at=at,
    ).execution


def _stay(rng, currency, hotels, identifiers, *, at):
    return purchase_rules_trigger(
        partner=hotels.partner,
        loyalty_currency=currency,
        member=identifiers,
        fiat_amount=Decimal(rng.randint(90, 640)),
        fiat_currency="EUR",
        tags=frozenset({"hotel"}),
        metadata={"city": rng.choice(catalogue.CITIES), "nights": rng.randint(1, 5)},
        reason="Hotel stay",
        external_reference=f"HTL-{rng.randrange(16**6):06X}",
        at=at,
    ).execution


def _redeem(rng, member: Member, hotels: Account, *, at) -> None:
    """A hotel night paid with half the member's balance (at that moment), in hundreds."""
    account = member_account(member=member)
    amount = account.balance // 200 * 100
    if amount <= 0:
        return
    ledger.post(
        origin=account,
        destination=hotels,
        amount=amount,
        type=TransactionType.REDEMPTION,
        sub_type=TransactionSubType.STANDARD,
        reason="Hotel night paid with points",
        reason_code=ReasonCode.SERVICE_PURCHASE,
        external_reference=f"HTL-{rng.randrange(16**6):06X}",
        created_by_partner=hotels.partner,
        now=at,
        created_at=at,
    )


def _goodwill(rng, member: Member, staff: AbstractBaseUser, *, at) -> None:
    """A support agent's credit, as the admin's "Credit or debit" records it."""
    ledger.post(
        origin=mint_account(loyalty_currency=member.loyalty_currency),
        destination=member_account(member=member),
        amount=rng.choice((200, 500, 1_000)),
        type=TransactionType.ACCRUAL,
        sub_type=TransactionSubType.ADJUSTMENT_INCREASE,
        reason=f"Ticket {rng.randint(1000, 9999)}: flight points missing",
        reason_code=ReasonCode.CUSTOMER_SERVICE_ISSUE,
        created_by_user=staff,
        now=at,
        created_at=at,
    )
