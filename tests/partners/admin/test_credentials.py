"""API credentials in the admin (partners.admin.credentials): the secret shown once, revoking,
and the credentials on the partner's page."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User

from loyalty.models import Partnership, PartnershipType
from partners.models import CredentialStatus, PartnerCredential
from partners.services.credentials import credential_create
from tests.factories import PartnerFactory
from tests.loyalty.admin.helpers import messages_of, page
from tests.partners.admin.helpers import url
from tests.partners.api.conftest import SignedClient


def test_create_page_shows_the_secret_once_and_never_again(admin_client, partner):
    form = page(admin_client.get(url("partnercredential_add")))
    assert "Create API credential" in form

    response = admin_client.post(
        url("partnercredential_add"), {"partner": partner.pk, "label": "production"}
    )

    credential = PartnerCredential.objects.get(partner=partner)
    created = url("partnercredential_created", credential.pk)
    assert (response.status_code, response["Location"]) == (302, created)
    secret = credential.secret_key
    shown = admin_client.get(created)
    result = page(shown)
    assert result.count(secret) == 1
    assert credential.public_key in result
    assert "shown only on this page" in result
    assert 'data-copy="secret-key"' in result
    assert "no-store" in shown["Cache-Control"]
    assert credential.label == "production"
    assert LogEntry.objects.filter(object_id=str(credential.pk)).exists()

    reload = page(admin_client.get(created))
    assert secret not in reload
    assert "has already been shown" in reload
    assert PartnerCredential.objects.filter(partner=partner).count() == 1

    for later in (
        admin_client.get(url("partnercredential_changelist")),
        admin_client.get(url("partnercredential_change", credential.pk)),
        admin_client.get(url("partnercredential_add")),
    ):
        assert secret not in page(later)
        assert credential.secret_encrypted not in page(later)


def test_changelist_shows_partner_key_label_status_and_use(admin_client, partner):
    issued = credential_create(partner=partner, label="production")
    SignedClient(issued.public_key, issued.secret_key).get("/partners")

    response = admin_client.get(url("partnercredential_changelist"))

    text = page(response)
    for column in ("Public key", "Partner", "Label", "Status", "Created at", "Last used at"):
        assert column in text
    for value in (issued.public_key, "Example Air", "production", "Active"):
        assert value in text
    assert issued.secret_key not in text
    row = response.context["cl"].result_list[0]
    assert row.last_used_at is not None


def test_the_create_page_refuses_a_third_active_credential(admin_client, partner):
    credential_create(partner=partner)
    credential_create(partner=partner)

    response = admin_client.post(url("partnercredential_add"), {"partner": partner.pk})

    assert "already has 2 active credentials; revoke one first." in page(response)
    assert partner.credentials.count() == 2


def test_keys_cannot_be_edited(admin_client, partner):
    credential = credential_create(partner=partner, label="old").credential
    public_key, secret = credential.public_key, credential.secret_encrypted

    admin_client.post(
        url("partnercredential_change", credential.pk),
        {
            "label": "new",
            "signing_mode": "strict",
            "public_key": "pub_mine",
            "secret_encrypted": "x",
            "status": "revoked",
            "partner": PartnerFactory().pk,
        },
    )

    credential.refresh_from_db()
    assert (credential.label, credential.signing_mode) == ("new", "strict")
    assert (credential.public_key, credential.secret_encrypted) == (public_key, secret)
    assert (credential.partner, credential.status) == (partner, CredentialStatus.ACTIVE)
    assert admin_client.get(url("partnercredential_delete", credential.pk)).status_code == 403


def test_revoke_action_makes_the_api_answer_401(admin_client, partner):
    issued = credential_create(partner=partner)
    kept = credential_create(partner=partner)
    client = SignedClient(issued.public_key, issued.secret_key)
    assert client.get("/partners").status_code == 200

    response = admin_client.post(
        url("partnercredential_changelist"),
        {"action": "revoke", "index": 0, "_selected_action": [issued.credential.pk]},
    )

    assert response.status_code == 302
    assert any("Revoked 1 credential(s)" in m for m in messages_of(response))
    issued.credential.refresh_from_db()
    assert issued.credential.status == CredentialStatus.REVOKED
    assert issued.credential.revoked_at is not None
    assert client.get("/partners").status_code == 401
    assert SignedClient(kept.public_key, kept.secret_key).get("/partners").status_code == 200


def test_staff_without_the_add_permission_cannot_create_credentials(client, partner):
    staff = User.objects.create_user("agent", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_partnercredential"))
    client.force_login(staff)

    assert client.get(url("partnercredential_changelist")).status_code == 200
    assert client.post(url("partnercredential_add"), {"partner": partner.pk}).status_code == 403
    assert not PartnerCredential.objects.exists()


def test_partner_page_shows_its_partnerships_credentials_and_rate_limit(
    admin_client, partner, currency
):
    Partnership.objects.create(
        partner=partner, loyalty_currency=currency, type=PartnershipType.ISSUING
    )
    issued = credential_create(partner=partner, label="production")
    page = admin_client.get(f"/admin/loyalty/partner/{partner.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "api_rate_limit" in content
    # The partnership and the credential are inlines of the partner's own page.
    assert "Issuing" in content and currency.code in content
    assert issued.public_key in content and "production" in content
    assert issued.secret_key not in content
    assert f"/admin/partners/partnercredential/add/?partner={partner.pk}" in content
    listing = admin_client.get(
        f"/admin/partners/partnercredential/?partner__id__exact={partner.pk}"
    )
    assert listing.status_code == 200
    assert b"?e=1" not in listing.content
