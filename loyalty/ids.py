"""Public identifiers with the contract's prefixes (`tx_...`, `acc_...`, `mp_...`, `part_...`).

Database keys stay integers; the public id is what partners and staff see. It is random (not a
counter) so that a partner cannot guess another partner's resources.
"""

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits
PUBLIC_ID_RANDOM_LENGTH = 20
PUBLIC_ID_MAX_LENGTH = 32
_SPACE = len(_ALPHABET) ** PUBLIC_ID_RANDOM_LENGTH


def new_public_id(prefix: str) -> str:
    """Return `<prefix>_` followed by 20 random lowercase letters and digits (~103 bits).

    A random number below 36**20 (about 2**103.4), drawn as 104 random bits until it falls
    below (so every id is equally likely), then written in base 36: the ids of the transaction
    path cost one or two draws each, not twenty.
    """
    number = secrets.randbits(104)
    while number >= _SPACE:
        number = secrets.randbits(104)
    digits = []
    for _ in range(PUBLIC_ID_RANDOM_LENGTH):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return f"{prefix}_" + "".join(digits)


def transaction_id() -> str:
    return new_public_id("tx")


def account_id() -> str:
    return new_public_id("acc")


def member_id() -> str:
    return new_public_id("mp")


def partner_id() -> str:
    return new_public_id("part")


def exchange_id() -> str:
    return new_public_id("exc")


def forwarding_reference() -> str:
    """The short unique reference a partner programme stores for one forwarded credit: 20
    letters and digits at most (the Avios externalTransactionIdentifier allows 20)."""
    return "LB" + secrets.token_hex(9).upper()
