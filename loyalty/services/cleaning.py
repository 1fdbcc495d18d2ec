"""Model validation as domain errors, so that services never raise Django's ValidationError."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

from loyalty.errors import DomainError


def as_domain_error(exc: ValidationError, error: type[DomainError]) -> DomainError:
    """The first of the model's complaints, named by its field, as `error`."""
    if not hasattr(exc, "error_dict"):
        return error(" ".join(exc.messages))
    field, errors = next(iter(exc.error_dict.items()))
    return error(
        " ".join(ValidationError(errors).messages),
        field=None if field == NON_FIELD_ERRORS else field,
    )


def full_clean(instance: Model, *, error: type[DomainError]) -> None:
    """The model's own validation (fields, choices, constraints); a refusal raises `error`."""
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise as_domain_error(exc, error) from exc
