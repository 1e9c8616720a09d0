"""Two-factor authentication for staff: an authenticator app (TOTP) with backup codes."""

import base64

import segno
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODE_COUNT = 10
# Pages a staff member may reach before the second factor: the way out and the way in.
OPEN_BEFORE_SECOND_FACTOR = {"logout", "two_factor_setup", "two_factor_verify"}


def needs_second_factor(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.is_superuser)


class StaffTwoFactorMiddleware:
    """Sends signed-in staff whose session has not passed the second factor to set it up or to
    enter a code, before any other page (the admin included)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            not needs_second_factor(user)
            or user.is_verified()
            or request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR
        ):
            return None
        step = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


def authenticator_device_to_set_up(user) -> TOTPDevice:
    """The user's authenticator app device awaiting its first code; made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def key_as_text(device: TOTPDevice) -> str:
    """The secret key in groups of four, for people who type it in rather than scan it."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4)


@transaction.atomic
def authenticator_device_confirm(*, device: TOTPDevice) -> list[str]:
    """Confirm the device after its first good code and issue fresh backup codes, returned once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    backup, _ = StaticDevice.objects.get_or_create(user=device.user, name="Backup codes")
    backup.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return codes


def start_verified_session(request, device) -> None:
    """Mark the session as past the second factor, under a new key: a session key known before
    the code was entered must not carry the verification."""
    request.session.cycle_key()
    otp_login(request, device)
