"""Writes of the core domain, as keyword-only functions named <thing>_<verb>."""
