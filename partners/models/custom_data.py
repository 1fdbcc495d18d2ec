from django.core.exceptions import ValidationError
from django.db import models


def validate_list_of_objects(value) -> None:
    """The contract's PartnerDataListResponse.values: a JSON list whose items are objects."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(
            'Enter a JSON list of objects, e.g. [{"code": "LHR", "name": "London Heathrow"}].',
            code="not_list_of_objects",
        )


class PartnerCustomData(models.Model):
    """A named list of values a partner publishes to its partners (codes, stores, products...).

    Staff keep it in the admin; partners with a relationship to the partner read it with
    GET /partners/<api_identifier>/data/<field_name>, which answers
    {"field": field_name, "values": values}.
    """

    partner = models.ForeignKey(
        "loyalty.Partner", on_delete=models.CASCADE, related_name="custom_data"
    )
    field_name = models.SlugField(
        max_length=100,
        help_text="The name partners use in the API path, e.g. codes or stores.",
    )
    values = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_list_of_objects],
        help_text="A JSON list of objects, returned as they are.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "partner custom data"
        verbose_name_plural = "partner custom data"
        ordering = ["partner", "field_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "field_name"], name="custom_data_field_unique_per_partner"
            ),
        ]

    def __str__(self) -> str:
        return self.field_name
