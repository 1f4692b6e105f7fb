"""Admin users pass a second factor (TOTP) before any admin page answers them."""

import re

import pytest
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ASSESSORS, COMPLAINT_HANDLERS, OFFICIALS
from tests.accounts.helpers import (
    current_code,
    enrolled_device,
    login_verified,
    member_of,
)

pytestmark = pytest.mark.django_db

SETUP = "/admin/two-factor/setup/"
VERIFY = "/admin/two-factor/verify/"
ADMIN_PAGES = ("/admin/", "/admin/pages/", "/admin/users/", "/admin/documents/")


def sign_in_with_password(client, user: User) -> None:
    response = client.post(
        "/admin/login/",
        {"username": user.username, "password": "pw", "next": "/admin/"},
    )
    assert response.status_code == 302, "the password sign-in itself failed"


def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.org", "pw")


@pytest.mark.parametrize("role", [ASSESSORS, OFFICIALS, COMPLAINT_HANDLERS])
def test_a_role_member_signed_in_by_password_alone_is_sent_to_set_up_an_app(
    client, role
):
    sign_in_with_password(client, member_of(role))
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP + "?next="), url


def test_a_superuser_with_an_app_is_sent_to_type_a_code(client):
    admin = superuser()
    enrolled_device(admin)
    sign_in_with_password(client, admin)
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response["Location"] == VERIFY + "?next=%2Fadmin%2Fusers%2F"


def test_the_setup_page_shows_a_locally_drawn_qr_code_of_the_secret(client):
    sign_in_with_password(client, member_of(ASSESSORS))
    response = client.get(SETUP + "?next=/admin/pages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline
    assert "http" not in re.search(r"<svg.*?</svg>", html, re.S).group(0).replace(
        "http://www.w3.org/2000/svg", ""
    )
    device = TOTPDevice.objects.get(user__username="assessors")
    assert not device.confirmed
    typed_secret = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", html).group(1)
    from base64 import b32encode

    assert typed_secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip(
        "="
    )


def test_a_wrong_code_enrols_nothing_and_the_admin_stays_closed(client):
    sign_in_with_password(client, member_of(OFFICIALS))
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="officials")
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"otp_token": wrong, "next": "/admin/"})
    assert response.status_code == 200
    # The admin outside /en/ speaks the default language, zh-hans.
    assert "验证码未通过" in response.content.decode()  # "code was not accepted"
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_the_right_code_enrols_the_app_and_opens_the_admin(client):
    sign_in_with_password(client, member_of(ASSESSORS))
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="assessors")
    response = client.post(
        SETUP, {"otp_token": current_code(device), "next": "/admin/pages/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/pages/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_after_signing_in_again_the_code_of_the_enrolled_app_opens_the_admin(client):
    admin = superuser()
    device = enrolled_device(admin)
    sign_in_with_password(client, admin)
    assert client.get("/admin/users/").status_code == 302
    response = client.post(
        VERIFY, {"otp_token": current_code(device), "next": "/admin/users/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/users/"
    assert client.get("/admin/users/").status_code == 200


def test_a_used_code_cannot_be_replayed(client):
    admin = superuser()
    device = enrolled_device(admin)
    code = current_code(device)
    sign_in_with_password(client, admin)
    assert client.post(VERIFY, {"otp_token": code}).status_code == 302
    client.logout()
    sign_in_with_password(client, admin)
    response = client.post(VERIFY, {"otp_token": code})
    assert response.status_code == 200
    assert client.get("/admin/users/").status_code == 302


def test_wrong_codes_are_throttled_even_before_a_right_one(client):
    admin = superuser()
    device = enrolled_device(admin)
    sign_in_with_password(client, admin)
    for _ in range(3):
        client.post(VERIFY, {"otp_token": "000000"})
    response = client.post(VERIFY, {"otp_token": current_code(device)})
    assert response.status_code == 200
    assert "秒后重试" in response.content.decode()  # "try again in ... seconds"
    assert client.get("/admin/users/").status_code == 302


def test_an_enrolled_user_cannot_enrol_a_second_app_with_the_password_alone(client):
    admin = superuser()
    enrolled_device(admin)
    sign_in_with_password(client, admin)
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=admin).count() == 1


@pytest.mark.parametrize(
    "token", ["", "12345", "1234567", "abcdef", "12 34 5x", "9" * 5000, "١٢٣٤٥٦"]
)
def test_malformed_codes_are_refused_with_a_form_error_never_a_crash(client, token):
    admin = superuser()
    enrolled_device(admin)
    sign_in_with_password(client, admin)
    response = client.post(VERIFY, {"otp_token": token})
    assert response.status_code == 200
    assert client.get("/admin/users/").status_code == 302


def test_a_code_typed_with_a_space_is_accepted(client):
    admin = superuser()
    device = enrolled_device(admin)
    sign_in_with_password(client, admin)
    code = current_code(device)
    response = client.post(VERIFY, {"otp_token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_verification_never_redirects_off_the_site(client, next_url):
    admin = superuser()
    device = enrolled_device(admin)
    sign_in_with_password(client, admin)
    response = client.post(
        VERIFY, {"otp_token": current_code(device), "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_verifying_gives_the_session_a_new_key(client):
    admin = superuser()
    device = enrolled_device(admin)
    sign_in_with_password(client, admin)
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"otp_token": current_code(device)})
    assert client.cookies["sessionid"].value != before


def test_the_two_factor_pages_send_anonymous_visitors_to_sign_in(client):
    for url in (SETUP, VERIFY):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_an_unverified_session_is_anonymous_outside_the_admin(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from accounts.middleware import TwoFactorMiddleware

    seen = {}

    def view(request):
        seen["user"] = request.user
        return HttpResponse("ok")

    assessor = member_of(ASSESSORS)
    assessor.is_verified = lambda: False
    request = rf.get("/reports/2026/download/")
    request.COOKIES["sessionid"] = "a-session"
    request.user = assessor
    TwoFactorMiddleware(view)(request)
    assert isinstance(seen["user"], AnonymousUser)


@pytest.mark.parametrize("page", [SETUP, VERIFY])
def test_the_two_factor_pages_get_the_admin_icon_sprite_before_verification(
    client, page
):
    admin = superuser()
    if page == VERIFY:
        enrolled_device(admin)
    sign_in_with_password(client, admin)
    assert client.get(page).status_code == 200
    response = client.get("/admin/sprite/")
    assert response.status_code == 200, response.get("Location")
    # The SVG symbols, not a redirect to (or the HTML of) the verify page.
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"<symbol" in response.content


def test_the_public_site_still_answers_an_unverified_session(client, home_page):
    sign_in_with_password(client, member_of(ASSESSORS))
    assert client.get("/").status_code == 200


def test_the_helper_signs_in_as_verified(client):
    login_verified(client, member_of(ASSESSORS))
    assert client.get("/admin/pages/").status_code == 200


def test_an_administrator_reset_lets_the_user_enrol_a_new_app(client):
    from io import StringIO

    from django.core.management import call_command

    admin = superuser()
    login_verified(client, admin)
    assert client.get("/admin/users/").status_code == 200
    out = StringIO()
    call_command("two_factor_reset", "root", stdout=out)
    assert "Removed 1" in out.getvalue()
    response = client.get("/admin/users/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_resetting_an_unknown_user_is_an_error_not_a_crash():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("two_factor_reset", "nobody")
