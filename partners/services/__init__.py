"""Writes of the partner side, as keyword-only functions named <thing>_<verb>."""
