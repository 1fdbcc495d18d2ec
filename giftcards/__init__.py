"""Gift-card catalogue, custom code inventory, issuance, validation and redemption."""
