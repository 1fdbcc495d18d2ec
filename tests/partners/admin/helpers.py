"""Helpers shared by the partner admin tests."""

from django.urls import reverse


def url(name: str, *args) -> str:
    app = "loyalty" if name.startswith("partnership") else "partners"
    return reverse(f"admin:{app}_{name}", args=args)
