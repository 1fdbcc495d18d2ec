"""What a debug page or an error report may show of the settings: never a credential.

Django's filter hides settings whose names look secret (KEY, PASS, TOKEN...). Credentials also
hide inside URLs (REDIS_URL, the broker's URL, a cache LOCATION): those keep their scheme, host
and path, and lose the user and password.
"""

import re

from django.views.debug import SafeExceptionReporterFilter

_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<credentials>[^@/\s]+)@", re.I)


class CredentialsHidingFilter(SafeExceptionReporterFilter):
    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):  # a lazy string too (django-axes has some): str() it
            return _URL_CREDENTIALS.sub(rf"\g<scheme>{self.cleansed_substitute}@", str(cleansed))
        return cleansed
