"""The Celery application and its periodic schedule.

Periodic work is swept (release every due pending transaction each minute) rather than
scheduled as one delayed task per transaction: a Redis broker re-delivers long-delayed tasks,
and a sweep survives a killed worker by simply running again.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loyalty.settings")

app = Celery("loyalty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "release-due-transactions": {
        "task": "loyalty.tasks.release_due_transactions",
        "schedule": crontab(),  # every minute, on the minute: release dates are truncated to it
    },
    "forward-due": {
        "task": "partners.tasks.forward_due",
        "schedule": crontab(),  # every minute: retries that are due and anything missed
    },
    "purge-idempotency-records": {
        "task": "partners.tasks.purge_idempotency_records",
        "schedule": crontab(minute=7),  # hourly; keys live 8 hours
    },
    "recompute-tiers": {
        "task": "loyalty.tasks.recompute_tiers",
        "schedule": crontab(hour=2, minute=30),  # daily at 02:30 UTC
    },
    "expire-points": {
        "task": "loyalty.tasks.expire_points",
        "schedule": crontab(hour=0, minute=15),  # daily after midnight UTC, the expiry cutoff
    },
}
