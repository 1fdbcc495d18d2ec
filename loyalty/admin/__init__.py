"""The staff admin of the core domain; each module registers its models.

Admins are thin: anything that creates accounts or moves units calls a service or the ledger,
and every changelist loads its related rows in the same query.
"""

from loyalty.admin import (
    accounts,
    cohorts,
    currencies,
    exchanges,
    exports,
    fx,
    members,
    partners,
    partnerships,
    redemptions,
    rules,
    transactions,
    users,
)

__all__ = [
    "accounts",
    "cohorts",
    "currencies",
    "exchanges",
    "exports",
    "fx",
    "members",
    "partners",
    "partnerships",
    "redemptions",
    "rules",
    "transactions",
    "users",
]
