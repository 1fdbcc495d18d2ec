"""Configure or show the connector of an external currency from the command line.

    manage.py programme_connector set <CURRENCY> --base-url URL [--api-key KEY]
        [--programme ID] [--source CODE] [--version v1] [--timeout SECONDS]
    manage.py programme_connector show <CURRENCY>

`show` never prints the API key, only whether one is stored.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from loyalty.errors import DomainError
from loyalty.models import LoyaltyCurrency
from partners.models import ProgrammeConnector
from partners.services.connectors import connector_set


def currency_get(code: str) -> LoyaltyCurrency:
    currency = LoyaltyCurrency.objects.filter(code=code).first()
    if currency is None:
        raise CommandError(f"No loyalty currency {code!r}.")
    return currency


class Command(BaseCommand):
    help = "Set or show the connector of an external loyalty currency (a partner programme)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        setting = actions.add_parser("set", help="Create or update the connector.")
        setting.add_argument("currency")
        setting.add_argument("--base-url")
        setting.add_argument("--api-key")
        setting.add_argument("--programme", dest="programme_identifier")
        setting.add_argument("--source", dest="external_source")
        setting.add_argument("--version", dest="api_version")
        setting.add_argument("--timeout", type=float, dest="read_timeout")
        showing = actions.add_parser("show", help="The connector, without its API key.")
        showing.add_argument("currency")

    def handle(self, *args, action: str, currency: str, **options):
        loyalty_currency = currency_get(currency)
        if action == "set":
            exists = ProgrammeConnector.objects.filter(loyalty_currency=loyalty_currency).exists()
            if not exists and not options.get("base_url"):
                raise CommandError("A new connector needs --base-url.")
            try:
                connector_set(
                    loyalty_currency=loyalty_currency,
                    **{
                        name: options.get(name)
                        for name in (
                            "base_url",
                            "api_key",
                            "programme_identifier",
                            "external_source",
                            "api_version",
                            "read_timeout",
                        )
                    },
                )
            except (DomainError, ValidationError) as exc:
                raise CommandError(str(getattr(exc, "message", exc))) from exc
        self._show(loyalty_currency)

    def _show(self, currency: LoyaltyCurrency) -> None:
        connector = ProgrammeConnector.objects.filter(loyalty_currency=currency).first()
        if connector is None:
            raise CommandError(f"{currency.code} has no connector.")
        for label, value in (
            ("Currency", currency.code),
            ("Kind", connector.kind),
            ("Base URL", connector.base_url),
            ("API version", connector.api_version),
            ("Programme", connector.programme_identifier),
            ("External source", connector.external_source or "-"),
            ("API key", "stored (encrypted)" if connector.has_api_key else "none"),
            ("Timeouts", f"{connector.connect_timeout}s connect, {connector.read_timeout}s read"),
            ("Enabled", "yes" if connector.enabled else "no"),
        ):
            self.stdout.write(f"{label + ':':<17}{value}")
