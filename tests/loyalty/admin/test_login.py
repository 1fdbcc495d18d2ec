"""Staff logins at /admin/login/: django-axes locks a username from an address after
AXES_FAILURE_LIMIT wrong passwords; staff see and lift the lockout in the admin or by command."""

from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

USERNAME, PASSWORD = "clerk", "a-correct-horse-battery"
HOME, AWAY = "203.0.113.10", "198.51.100.20"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user(USERNAME, password=PASSWORD, is_staff=True)


def login(client: Client, password: str, *, address: str = HOME, username: str = USERNAME):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def lock_out(client: Client) -> None:
    """Five wrong passwords: the first four get the form back, the fifth the lockout."""
    codes = [login(client, "wrong-password").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 200, 429]


def test_five_wrong_passwords_lock_the_username_out_from_that_address(staff):
    client = Client()
    lock_out(client)

    refused = login(client, PASSWORD)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Login locked" in page
    assert f"<strong>{USERNAME}</strong>" in page
    assert f"axes_reset_username {USERNAME}" in page
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still sent to the login page

    # The lock is on this username from this address only.
    assert logged_in(login(Client(), PASSWORD, address=AWAY))


def test_staff_see_the_lockout_in_the_admin_and_deleting_it_lifts_it(staff, admin_client):
    client = Client()
    lock_out(client)
    attempt = AccessAttempt.objects.get(username=USERNAME, ip_address=HOME)

    changelist = admin_client.get("/admin/axes/accessattempt/")
    assert changelist.status_code == 200
    assert USERNAME in changelist.content.decode()
    assert HOME in changelist.content.decode()

    deleted = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username=USERNAME).exists()
    assert logged_in(login(client, PASSWORD))


def test_axes_reset_username_lifts_the_lockout(staff):
    client = Client()
    lock_out(client)
    assert login(client, PASSWORD).status_code == 429

    call_command("axes_reset_username", USERNAME, stdout=StringIO())

    assert logged_in(login(client, PASSWORD))


def test_a_right_password_before_the_limit_starts_the_count_again(staff):
    client = Client()
    for _ in range(4):
        assert login(client, "wrong-password").status_code == 200
    assert logged_in(login(client, PASSWORD))
    client.logout()
    # Four more are not the fifth to ninth failures; the fifth of them locks.
    for _ in range(4):
        assert login(client, "wrong-password").status_code == 200
    assert login(client, "wrong-password").status_code == 429
