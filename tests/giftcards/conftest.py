from tests.giftcards.fixtures import (  # noqa: F401 (fixtures)
    fixed_card,
    funded_member,
    open_card,
    retailer,
)
