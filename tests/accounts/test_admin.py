"""The Django admin is read-only: a superuser changes no account, password, MFA device or role.

Accounts change only through services that write audit records (issue 10, point 4).
"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory

from kitei.core.models import ChangeRecord
from kitei.people.models import Person, RoleAssignment

from ..conftest import PASSWORD, activate_totp
from .otp import LOGIN, sign_in


@pytest.fixture
def root(db: None) -> Any:
    """A site administrator with TOTP, signed in to the admin."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: PLC0415

    user = get_user_model().objects.create_superuser("root", "root@example.lg.jp", PASSWORD)
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def as_root(root: Any) -> Client:
    """A browser signed in as the site administrator."""
    client = Client()
    client.force_login(root)
    return client


def test_every_model_admin_is_read_only_for_a_superuser(root: Any) -> None:
    request = RequestFactory().get("/admin/")
    request.user = root
    assert admin.site._registry  # the admin still lists and shows rows
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        assert model_admin.has_view_permission(request), label
        assert not model_admin.has_add_permission(request), label
        assert not model_admin.has_change_permission(request), label
        assert not model_admin.has_delete_permission(request), label
        assert model_admin.get_actions(request) == {}, label
    registered = {m._meta.label for m in admin.site._registry}
    assert {"auth.User", "auth.Group", "account.EmailAddress", "mfa.Authenticator"} <= registered


@pytest.mark.django_db
def test_superuser_cannot_edit_a_user_or_grant_superuser(as_root: Client, suzuki: Any) -> None:
    user = suzuki.user
    url = f"/admin/auth/user/{user.pk}/change/"
    page = as_root.get(url)
    assert page.status_code == 200  # shown, read-only
    assert 'name="is_superuser"' not in page.content.decode()
    data = {
        "username": "suzuki-renamed",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    assert as_root.post(url, data).status_code == 403
    user.refresh_from_db()
    assert (user.username, user.is_staff, user.is_superuser) == ("suzuki", False, False)


@pytest.mark.django_db
def test_superuser_cannot_set_a_password_add_or_delete_a_user(as_root: Client, suzuki: Any) -> None:
    user = suzuki.user
    before = user.password
    response = as_root.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "Aozora-gikai-2026!", "password2": "Aozora-gikai-2026!"},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.password == before
    added = {"username": "intruder", "password1": "Aozora-gikai-2026!"}
    assert (
        as_root.post(
            "/admin/auth/user/add/", {**added, "password2": added["password1"]}
        ).status_code
        == 403
    )
    assert not get_user_model().objects.filter(username="intruder").exists()
    assert as_root.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [user.pk], "post": "yes"}
    as_root.post("/admin/auth/user/", bulk)
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert as_root.post("/admin/auth/group/add/", {"name": "admins"}).status_code == 403
    assert not Group.objects.exists()


@pytest.mark.django_db
def test_superuser_cannot_delete_an_administrators_totp_device(as_root: Client, mito: Any) -> None:
    from ..conftest import make_person  # noqa: PLC0415

    admin_ito = make_person(mito, "admin_ito", "伊藤 五郎", is_org_admin=True)
    activate_totp(admin_ito)
    device = Authenticator.objects.get(user=admin_ito.user, type=Authenticator.Type.TOTP)
    url = f"/admin/mfa/authenticator/{device.pk}/"
    assert as_root.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    assert (
        as_root.post(f"{url}change/", {"user": admin_ito.user.pk, "type": "totp"}).status_code
        == 403
    )
    bulk = {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"}
    as_root.post("/admin/mfa/authenticator/", bulk)
    assert Authenticator.objects.filter(pk=device.pk).exists()


@pytest.mark.django_db
def test_superuser_cannot_verify_or_change_an_email_address(as_root: Client, suzuki: Any) -> None:
    address = EmailAddress.objects.create(user=suzuki.user, email="suzuki@example.lg.jp")
    bulk = {"action": "make_verified", "_selected_action": [address.pk]}
    as_root.post("/admin/account/emailaddress/", bulk)
    url = f"/admin/account/emailaddress/{address.pk}/change/"
    data = {"user": suzuki.user.pk, "email": "attacker@example.com", "verified": "on"}
    assert as_root.post(url, data).status_code == 403
    address.refresh_from_db()
    assert (address.email, address.verified) == ("suzuki@example.lg.jp", False)


@pytest.mark.django_db
def test_superuser_cannot_change_people_or_role_assignments(as_root: Client, sato: Any) -> None:
    assignment = RoleAssignment.objects.get(person=sato)
    records = ChangeRecord.objects.count()
    url = f"/admin/people/person/{sato.pk}/change/"
    assert as_root.post(url, {"name": "改ざん", "is_org_admin": "on"}).status_code == 403
    delete = f"/admin/people/roleassignment/{assignment.pk}/delete/"
    assert as_root.post(delete, {"post": "yes"}).status_code == 403
    sato.refresh_from_db()
    assert (sato.name, sato.is_org_admin) == ("佐藤 一郎", False)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert Person.objects.count() == 1
    assert ChangeRecord.objects.count() == records


@pytest.mark.django_db
def test_the_admin_login_is_kiteis_login(root: Any) -> None:
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"])
    assert login.status_code == 302
    assert login["Location"] == f"{LOGIN}?next=/admin/"
    # The admin's own form, which would skip the failed-login limits and TOTP, signs nobody in.
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # kitei's login asks the site administrator for the TOTP code first.
    assert sign_in(client, "root")["Location"].startswith("/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_signed_in_staff_without_admin_rights_get_403(suzuki: Any) -> None:
    client = Client()
    client.force_login(suzuki.user)
    assert client.get("/admin/login/").status_code == 403
