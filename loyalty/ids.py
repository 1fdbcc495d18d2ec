"""Public identifiers with the contract's prefixes (`tx_...`, `acc_...`, `mp_...`, `part_...`).

Database keys stay integers; the public id is what partners and staff see. It is random (not a
counter) so that a partner cannot guess another partner's resources.
"""

import secrets
import string

_ALPHABET = string.ascii_lowercase + string.digits
PUBLIC_ID_RANDOM_LENGTH = 20
PUBLIC_ID_MAX_LENGTH = 32


def new_public_id(prefix: str) -> str:
    """Return `<prefix>_` followed by 20 random lowercase letters and digits (~103 bits)."""
    return f"{prefix}_" + "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_RANDOM_LENGTH))


def transaction_id() -> str:
    return new_public_id("tx")


def account_id() -> str:
    return new_public_id("acc")


def member_id() -> str:
    return new_public_id("mp")


def partner_id() -> str:
    return new_public_id("part")
