"""Refusals of the partner side's own domain (credentials; the partner programmes' connectors).

They are DomainErrors, so the API and the admin answer them like the core domain's
(loyalty.errors); each name is defined here once.
"""

from loyalty.errors import DomainError


class TooManyActiveCredentials(DomainError):
    code = "too_many_active_credentials"
