"""Run one sweep of the forwarding outbox by hand: deliver every record that is due.

    manage.py forward_due

The periodic task (partners.tasks.forward_due) runs the same sweep every minute.
"""

from django.core.management.base import BaseCommand

from partners.connectors.delivery import sweep


class Command(BaseCommand):
    help = "Deliver every due forwarding record to its partner programme (one sweep)."

    def handle(self, *args, **options):
        attempts = sweep()
        self.stdout.write(f"Made {attempts} delivery attempt(s).")
