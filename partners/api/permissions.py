from rest_framework import permissions

from partners.models import PartnerCredential


class IsPartner(permissions.BasePermission):
    """The request was signed with an active partner credential."""

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, PartnerCredential)
