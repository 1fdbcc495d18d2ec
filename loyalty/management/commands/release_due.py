from django.core.management.base import BaseCommand

from loyalty import ledger


class Command(BaseCommand):
    help = (
        "Release every pending transaction whose release date has passed (what the sweeper does)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=None, help="Rows per database transaction."
        )
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="Batches at once, each in its own database connection (PostgreSQL).",
        )

    def handle(self, *args, batch_size=None, concurrency=None, **options):
        released = ledger.release_due(batch_size=batch_size, concurrency=concurrency)
        self.stdout.write(f"Released {released} pending transaction(s).")
