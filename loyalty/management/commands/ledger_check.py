from django.core.management.base import BaseCommand, CommandError

from loyalty.ledger_audit import ledger_report


class Command(BaseCommand):
    help = (
        "Check that every stored balance and pending balance equals what the transactions say, "
        "and that each currency sums to zero over all accounts. Exits 1 on any mismatch."
    )

    def handle(self, *args, **options):
        report = ledger_report()
        self.stdout.write(report.render())
        if not report.ok:
            raise CommandError("ledger_check found mismatches", returncode=1)
