import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from loyalty.models import LoyaltyCurrency
from loyalty.services.expiry import points_expire, points_expire_all


class Command(BaseCommand):
    help = (
        "Expire the points due today (what the daily task does): loyalty_currency_expiration "
        "transactions from members to the mint, once per member and day."
    )

    def add_arguments(self, parser):
        parser.add_argument("--currency", help="Only this loyalty currency's code.")
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="Run as on this day (YYYY-MM-DD, UTC)."
        )

    def handle(self, *args, currency=None, date=None, **options):
        now = dt.datetime.combine(date, dt.time(), tzinfo=dt.UTC) if date else None
        if currency:
            found = LoyaltyCurrency.objects.filter(code=currency).first()
            if found is None:
                raise CommandError(f"No loyalty currency {currency}.")
            runs = [(found.code, points_expire(loyalty_currency=found, now=now))]
        else:
            runs = points_expire_all(now=now)
        for code, run in runs:
            self.stdout.write(
                f"{code}: {run.units} unit(s) of {run.members} member(s) expired "
                f"(cutoff {run.cutoff:%Y-%m-%d})."
            )
