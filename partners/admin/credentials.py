"""API credentials: created and revoked only through partners.services.credentials.

The create form redirects to a page that shows the secret key once: the session carries only
which credential was just created (never the secret), and the page forgets it as it shows it, so
a reload shows no secret and never creates another credential. A partner's credentials also
show on its own page: Partner is a core-domain model (loyalty.admin.partners), so this module
swaps in a subclass of loyalty's PartnerAdmin that adds them as an inline.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache

from loyalty.admin.base import ModelAdmin, ReadOnlyInline
from loyalty.admin.partners import PartnerAdmin
from loyalty.admin.widgets import UnfoldForm
from loyalty.models import Partner
from partners.errors import TooManyActiveCredentials
from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create, credential_revoke

# The session key naming the credential whose secret the next "created" page may show.
JUST_CREATED = "partners.credential_just_created"


class CredentialCreateForm(UnfoldForm):
    partner = forms.ModelChoiceField(queryset=Partner.objects.order_by("company_name"))
    label = forms.CharField(
        max_length=100, required=False, help_text="e.g. production, rotation 2027"
    )


@admin.register(PartnerCredential)
class PartnerCredentialAdmin(ModelAdmin):
    """Lists credentials without their secrets; the add page creates one and shows it once."""

    list_display = [
        "public_key",
        "partner",
        "label",
        "status",
        "signing_mode",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["status", "signing_mode", "partner"]
    list_select_related = ["partner"]
    search_fields = ["=public_key", "label", "partner__company_name", "partner__api_identifier"]
    search_help_text = "Public key, label, partner name or API identifier."
    fields = [
        "partner",
        "public_key",
        "label",
        "signing_mode",
        "status",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "partner",
        "public_key",
        "status",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def add_view(self, request: HttpRequest, form_url="", extra_context=None) -> HttpResponse:
        """Create API credential: pick a partner and a label; the answer shows both keys once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CredentialCreateForm(
            request.POST or None, initial={"partner": request.GET.get("partner")}
        )
        if request.method == "POST" and form.is_valid():
            try:
                issued = credential_create(
                    partner=form.cleaned_data["partner"], label=form.cleaned_data["label"]
                )
            except TooManyActiveCredentials as exc:
                form.add_error("partner", exc.message)
            else:
                self.log_addition(request, issued.credential, [{"added": {}}])
                request.session[JUST_CREATED] = issued.credential.pk
                return HttpResponseRedirect(
                    reverse("admin:partners_partnercredential_created", args=[issued.credential.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Create API credential",
            "opts": self.opts,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": ["partner", "label"]})], {}),
        }
        return TemplateResponse(request, "admin/partners/partnercredential/create.html", context)

    def get_urls(self):
        return [
            path(
                "<int:credential_id>/created/",
                self.admin_site.admin_view(self.created_view),
                name="partners_partnercredential_created",
            ),
            *super().get_urls(),
        ]

    @method_decorator(never_cache)  # the browser keeps no copy of the secret
    def created_view(self, request: HttpRequest, credential_id: int) -> HttpResponse:
        """The secret key, once: only right after this session created the credential."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        credential = PartnerCredential.objects.select_related("partner").filter(pk=credential_id)
        credential = credential.first()
        if credential is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, str(credential_id))
        show_secret = request.session.get(JUST_CREATED) == credential.pk
        if show_secret:
            del request.session[JUST_CREATED]
        context = {
            **self.admin_site.each_context(request),
            "title": "API credential created",
            "opts": self.opts,
            "credential": credential,
            "secret_key": credential.secret_key if show_secret else None,
            "partner": credential.partner,
        }
        response = TemplateResponse(
            request, "admin/partners/partnercredential/created.html", context
        )
        return response

    @admin.action(description="Revoke selected credentials", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[PartnerCredential]) -> None:
        active = list(queryset.filter(status=CredentialStatus.ACTIVE).select_related("partner"))
        for credential in active:
            credential_revoke(credential=credential)
            self.log_change(request, credential, "Revoked")
        if active:
            keys = ", ".join(credential.public_key for credential in active)
            self.message_user(
                request,
                f"Revoked {len(active)} credential(s): {keys}. Requests signed with them now "
                "get 401.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "The selected credentials were already revoked.")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the row records who had access, and when


# On the partner's page --------------------------------------------------------------------


class PartnerCredentialInline(ReadOnlyInline):
    """The partner's key pairs without their secrets; created and revoked on their own pages."""

    model = PartnerCredential
    fields = ["public_key", "label", "status", "created_at", "last_used_at"]
    readonly_fields = fields
    show_change_link = True
    verbose_name = "API credential"
    verbose_name_plural = "API credentials"


class PartnerWithCredentialsAdmin(PartnerAdmin):
    inlines = [*PartnerAdmin.inlines, PartnerCredentialInline]
    readonly_fields = [*PartnerAdmin.readonly_fields, "create_credential"]
    fields = [*PartnerAdmin.fields, "create_credential"]

    @admin.display(description="New API credential")
    def create_credential(self, partner: Partner) -> SafeString:
        if partner.pk is None:
            return SafeString("Save the partner first.")
        return format_html(
            '<a href="{}?partner={}">Create a credential</a> (its secret is shown once)',
            reverse("admin:partners_partnercredential_add"),
            partner.pk,
        )


admin.site.unregister(Partner)
admin.site.register(Partner, PartnerWithCredentialsAdmin)
