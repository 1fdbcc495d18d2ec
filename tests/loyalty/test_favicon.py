"""/favicon.ico (loyalty.favicon): served at the root, and linked from the admin's pages."""


def test_the_favicon_is_served_and_linked(client, admin_client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'href="/favicon.ico"' in admin_client.get("/admin/").content.decode()
