"""What several model admins share."""

from django.db.models import Model


def take_over(instance: Model, created: Model) -> None:
    """Make the add view's unsaved form instance stand for a row a service has just created.

    Members, currencies and partner accounts are created by services (they create accounts
    alongside), not by ModelForm.save(). The admin's add view goes on using the form's instance
    for its response, the history entry and any inlines, so that instance takes the new row's
    primary key and reloads it.
    """
    instance.pk = created.pk
    instance.refresh_from_db()
    instance._state.adding = False
