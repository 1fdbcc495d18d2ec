"""A sandbox Avios-style programme: its own members, the seed's validation and error codes, and
switches to reject, fail, slow down or go silent (partners.sandbox.programme)."""
