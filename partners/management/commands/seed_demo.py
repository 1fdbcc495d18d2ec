import json
import os

from django.core.management.base import BaseCommand

from partners.demo import DUE_SOON, DemoData, demo_as_json, demo_seed


class Command(BaseCommand):
    help = (
        "Create the demo programme (EXAMPLE_POINTS, three partners, tiers, rules, a cohort, "
        "gift cards with codes in stock, FX "
        "rates, members with months of history and a staff superuser) where missing; safe to run "
        "on every start. The superuser's login "
        "comes from DEMO_ADMIN_USERNAME and DEMO_ADMIN_PASSWORD (default admin / admin); an "
        "existing user keeps its password."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="Print only a JSON object with the admin login, the partners' API keys, the "
            "members, tiers and rules; on an existing demo it adds no transaction.",
        )

    def handle(self, *args, as_json: bool = False, **options):
        demo = demo_seed(
            admin_username=os.environ.get("DEMO_ADMIN_USERNAME", "admin"),
            admin_password=os.environ.get("DEMO_ADMIN_PASSWORD", "admin"),
            top_up=not as_json,
        )
        if as_json:
            self.stdout.write(json.dumps(demo_as_json(demo=demo), indent=2))
        else:
            self.stdout.write(_summary(demo))
        if demo.admin_created:
            # On stderr, so that it shows even next to --json's machine-readable output.
            self.stderr.write(
                f"Created the demo superuser {demo.admin_username!r} with a known password: it "
                "exists only because of the demo data; never run seed_demo on a production "
                "database, and remove this user (or change its password) on any shared machine."
            )


def _summary(demo: DemoData) -> str:
    currency = demo.loyalty_currency
    partners = ", ".join(
        f"{partner.company_name} ({partner.api_identifier}, {partner.public_id})"
        for partner in demo.partners
    )
    tiers = ", ".join(tier.name for tier in demo.tiers)
    if demo.admin_created:
        login = f"{demo.admin_username} / {demo.admin_password}"
    else:
        login = f"{demo.admin_username} (existing user, password unchanged)"
    return "\n".join(
        [
            f"Demo programme {currency.code} ({currency.name}, {currency.fiat_currency}), "
            f"owned by {currency.owner.company_name}.",
            f"Partners: {partners}.",
            f"Tiers: {tiers}. Members: {len(demo.members)} ({demo.members_created} new).",
            f"Transactions: {demo.transactions_created} new; {demo.pending_due_soon} pending "
            f"due within {DUE_SOON.seconds // 60} minutes, for the release sweeper.",
            f"Admin: http://127.0.0.1:8000/admin/ (make run), login {login}.",
        ]
    )
