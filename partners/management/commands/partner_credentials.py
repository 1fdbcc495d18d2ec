"""Create, list and revoke a partner's API credentials from the command line.

    manage.py partner_credentials create <api_identifier> [--label L]
    manage.py partner_credentials list <api_identifier>
    manage.py partner_credentials revoke <public_key>
    manage.py partner_credentials door-key <api_identifier> [--maximum N] [--source CODE ...]

`create` prints the public and the secret key, one per line; the secret is never shown again.
`door-key` makes an api_key for the inbound Avios-style credit door (partners.avios.door) and
prints it once.
"""

from django.core.management.base import BaseCommand, CommandError

from loyalty.models import Partner
from partners.models import PartnerCredential
from partners.services.credentials import (
    TooManyActiveCredentials,
    credential_create,
    credential_revoke,
)
from partners.services.inbound import door_key_create


def partner_get(api_identifier: str) -> Partner:
    partner = Partner.objects.filter(api_identifier=api_identifier).first()
    if partner is None:
        raise CommandError(f"No partner with API identifier {api_identifier!r}.")
    return partner


class Command(BaseCommand):
    help = "Create, list or revoke a partner's API credentials (key pairs)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a key pair; prints the secret once.")
        create.add_argument("api_identifier")
        create.add_argument("--label", default="", help="e.g. production, rotation 2027")
        listing = actions.add_parser("list", help="The partner's credentials, without secrets.")
        listing.add_argument("api_identifier")
        revoke = actions.add_parser("revoke", help="Refuse requests signed with this key.")
        revoke.add_argument("public_key")
        door = actions.add_parser("door-key", help="An api_key for the inbound credit door.")
        door.add_argument("api_identifier")
        door.add_argument("--label", default="")
        door.add_argument("--maximum", type=int, default=999_999, help="largest credit")
        door.add_argument("--source", action="append", default=[], help="an allowed externalSource")

    def handle(self, *args, action: str, **options):
        getattr(self, f"_{action.replace('-', '_')}")(**options)

    def _door_key(self, *, api_identifier: str, label: str, maximum: int, source, **options):
        if not 1 <= maximum <= 999_999:
            raise CommandError("--maximum is between 1 and 999,999.")
        issued = door_key_create(
            partner=partner_get(api_identifier),
            label=label,
            maximum_amount=maximum,
            external_sources=source,
        )
        self.stdout.write(f"Door api_key: {issued.api_key}")
        self.stderr.write("Store it now: only its digest is kept, it is never shown again.")

    def _create(self, *, api_identifier: str, label: str, **options) -> None:
        partner = partner_get(api_identifier)
        try:
            issued = credential_create(partner=partner, label=label)
        except TooManyActiveCredentials as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Public key: {issued.public_key}")
        self.stdout.write(f"Secret key: {issued.secret_key}")
        self.stderr.write("Store the secret key now: it is encrypted and never shown again.")

    def _list(self, *, api_identifier: str, **options) -> None:
        partner = partner_get(api_identifier)
        credentials = PartnerCredential.objects.filter(partner=partner).order_by("-created_at")
        for credential in credentials:
            last_used = credential.last_used_at.isoformat() if credential.last_used_at else "never"
            self.stdout.write(
                f"{credential.public_key}  {credential.status:<7}  "
                f"created {credential.created_at.isoformat()}  last used {last_used}  "
                f"{credential.label}".rstrip()
            )
        if not credentials:
            self.stdout.write(f"{partner.company_name} has no credentials.")

    def _revoke(self, *, public_key: str, **options) -> None:
        credential = PartnerCredential.objects.filter(public_key=public_key).first()
        if credential is None:
            raise CommandError(f"No credential with public key {public_key!r}.")
        credential_revoke(credential=credential)
        self.stdout.write(f"Revoked {public_key}: requests signed with it now get 401.")
