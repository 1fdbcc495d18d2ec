"""Public identifiers of the gift-card app, with the contract's prefixes (`gcb_...`, `gcc_...`)."""

from loyalty.ids import new_public_id


def gift_card_id() -> str:
    return new_public_id("gcb")


def gift_card_code_id() -> str:
    return new_public_id("gcc")
