"""Loyalty back office: the project package and the core domain (currencies, members, ledger)."""

from loyalty.celery import app as celery_app

__all__ = ("celery_app",)
