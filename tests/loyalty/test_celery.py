"""The Celery application's periodic schedule (loyalty.celery)."""

from celery.schedules import crontab

from loyalty import celery_app
from loyalty.tasks import recompute_tiers


def test_task_runs_daily_at_half_past_two_utc():
    entry = celery_app.conf.beat_schedule["recompute-tiers"]
    assert entry["task"] == recompute_tiers.name
    assert entry["schedule"] == crontab(hour=2, minute=30)
    assert celery_app.conf.timezone == "UTC"
