"""Re-encrypt every stored partner secret with the newest CREDENTIALS_ENCRYPTION_KEY.

    manage.py reencrypt_secrets

Run it after putting a new key first in CREDENTIALS_ENCRYPTION_KEY (keeping the old ones after
it); once it reports no failure, the old keys can be dropped. A secret no configured key opens is
left as it is and named (by its public key) in the report, and the command exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from loyalty import crypto
from loyalty.errors import SecretUndecryptable
from partners.models import PartnerCredential


class Command(BaseCommand):
    help = "Re-encrypt every partner secret with the newest CREDENTIALS_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        done, failed = 0, []
        for credential in PartnerCredential.objects.order_by("pk").iterator():
            try:
                token = crypto.reencrypt(credential.secret_encrypted)
            except SecretUndecryptable:
                failed.append(credential.public_key)
                continue
            with transaction.atomic():
                PartnerCredential.objects.filter(pk=credential.pk).update(secret_encrypted=token)
            done += 1
        self.stdout.write(f"Re-encrypted {done} secret(s) with the newest key.")
        if failed:
            raise CommandError(
                f"No configured key decrypts {len(failed)} secret(s): {', '.join(failed)}. "
                "Add the key they were encrypted with (after the newest) and run this again."
            )
