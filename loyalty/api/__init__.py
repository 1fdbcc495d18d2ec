"""Partner API endpoints of the core domain: accruals, members, transactions, conversions."""
