"""The staff admin of the gift-card catalogue and code inventory; each module registers its
models. Thin: imports, voids and refunds call the services."""

from giftcards.admin import catalogue, codes

__all__ = ["catalogue", "codes"]
