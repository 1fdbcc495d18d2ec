from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        from loyalty import caching
        from partners.models import PartnerCredential

        # Credentials are cached per process with the rest of the reference data.
        caching.watch(PartnerCredential)
