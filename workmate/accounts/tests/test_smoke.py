from django.urls import reverse


def test_directory_lists_people(client, alice, bob):
    client.force_login(alice)
    response = client.get(reverse("directory"))
    assert response.status_code == 200
    assert "Bob Lee" in response.content.decode()
