"""The staff admin of the gift-card catalogue and code inventory."""
