"""What several model admins share: unfold's base classes, read-only rows, protected rows."""

from django.db.models import Model
from django.http import HttpRequest
from unfold.admin import ModelAdmin, StackedInline, TabularInline

__all__ = ["ModelAdmin", "StackedInline", "TabularInline"]


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


class ReadOnlyAdmin(ReadOnly, ModelAdmin):
    pass


class ReadOnlyInline(ReadOnly, TabularInline):
    """Rows shown on their parent's page, for reading (each may link to its own page)."""

    extra = 0
    can_delete = False


class NeverDeleted:
    """Rows the ledger's history refers to (PROTECT foreign keys): a currency, a tier with
    members, a partner. No Delete button is shown, since it could only ever fail with
    "protected"; `never_deleted_note` says why on the page, where the button would have been,
    and what to do instead."""

    never_deleted_note: str
    change_form_after_template = "admin/loyalty/never_deleted.html"

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["never_deleted_note"] = self.never_deleted_note
        return super().render_change_form(request, context, add, change, form_url, obj)
