"""`manage.py giftcard_codes import <gift card id> FILE` and `giftcard_codes stock <gift card id>`.

The import validates the whole file first and prints a line-by-line report of what it refuses
(storing nothing then); it prints no code. Exit status 1 when the file is refused.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from giftcards.errors import GiftCardImportInvalid
from giftcards.models import GiftCard
from giftcards.selectors import stock_of
from giftcards.services.imports import codes_import


class Command(BaseCommand):
    help = "Import gift-card codes from a CSV or XLSX file, or print a card's stock."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser(
            "import", help="Load codes (header: code[,pin,denomination,...])."
        )
        load.add_argument("gift_card_id")
        load.add_argument("file")
        stock = actions.add_parser("stock", help="Codes per denomination.")
        stock.add_argument("gift_card_id")

    def _card(self, public_id: str) -> GiftCard:
        card = GiftCard.objects.filter(public_id=public_id).first()
        if card is None:
            raise CommandError(f"No gift card {public_id!r}.")
        return card

    def handle(self, *args, action: str, gift_card_id: str, **options):
        card = self._card(gift_card_id)
        if action == "stock":
            self._stock(card)
            return
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            report = codes_import(gift_card=card, data=path.read_bytes(), filename=path.name)
        except GiftCardImportInvalid as exc:
            raise CommandError(exc.message) from exc
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"line {error.line}: {error.message}")
            raise CommandError(
                f"Nothing imported: {len(report.errors)} of {report.total_rows} lines refused."
            )
        self.stdout.write(f"Imported {report.created} codes into {card.name} ({card.public_id}).")

    def _stock(self, card: GiftCard) -> None:
        self.stdout.write(f"{card.name} ({card.public_id}), {card.fiat_currency}")
        self.stdout.write(
            f"{'denomination':>12} {'available':>9} {'issued':>7} {'unavailable':>11} {'total':>7}"
        )
        for s in stock_of(card):
            low = "  low" if s.available < card.low_stock_threshold else ""
            self.stdout.write(
                f"{s.key:>12} {s.available:>9} {s.issued:>7} {s.unavailable:>11} {s.total:>7}{low}"
            )
