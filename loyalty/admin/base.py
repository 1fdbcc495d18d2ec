"""What several model admins share."""

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


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


class ReadOnly:
    """Nobody adds, changes or deletes these rows here, superusers included: services write them
    (or nobody may, as for ledger transactions)."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    """Rows shown on their parent's page, for reading (each may link to its own page)."""

    extra = 0
    can_delete = False
