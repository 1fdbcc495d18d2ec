"""Gift-card writes: issuing codes for points, validation and redemption at the retailer, imports.

Units move only through loyalty.ledger; this app never imports partners (the API lives there)."""
