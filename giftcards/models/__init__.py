"""Gift-card models: the catalogue (brands, denominations, prices) and the custom code inventory."""
