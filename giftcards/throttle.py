"""Failed code lookups counted per partner and minute, on the default cache (Redis in
production, shared by every web process).

Each unknown code or wrong PIN counts one; at GIFTCARD_FAILED_LOOKUPS_PER_MINUTE the partner's
lookups are refused until the minute ends, whether the next code is right or not, so guessing
codes costs a minute per handful of guesses. When the cache cannot be reached the count fails
open (the lookups' answers do not depend on it).
"""

import time

from django.conf import settings
from django.core.cache import cache

from giftcards.errors import GiftCardLookupsThrottled

WINDOW_SECONDS = 60


def _key(partner_id: int) -> str:
    return f"giftcards:failed-lookups:{partner_id}:{int(time.time() // WINDOW_SECONDS)}"


def require_lookups_allowed(partner_id: int) -> None:
    try:
        failures = cache.get(_key(partner_id), 0)
    except Exception:  # the cache is down: fail open
        return
    if failures >= settings.GIFTCARD_FAILED_LOOKUPS_PER_MINUTE:
        raise GiftCardLookupsThrottled(
            "Too many unknown gift card codes this minute; try again in a minute."
        )


def lookup_failed(partner_id: int) -> None:
    key = _key(partner_id)
    try:
        if not cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
            cache.incr(key)
    except ValueError:
        cache.add(key, 1, timeout=WINDOW_SECONDS + 5)
    except Exception:  # the cache is down: fail open
        return
