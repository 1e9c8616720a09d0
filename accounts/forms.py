"""The forms of signing in: password, emailed link, second factor and password changes."""

import math

from crispy_forms_gds.layout import Field, Fixed, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp import devices_for_user, match_token

from feedback_site.forms import GovukFormMixin


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    submit_label = _("Sign in")
    error_messages = {
        "invalid_login": _("Enter a correct email address and password"),
        "inactive": _("This account is inactive"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email address")
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["username"].error_messages["required"] = _("Enter your email address")
        self.fields["password"].error_messages["required"] = _("Enter your password")


class ResetPasswordForm(GovukFormMixin, auth_forms.PasswordResetForm):
    submit_label = _("Send reset link")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.fields["email"].error_messages.update(
            {
                "required": _("Enter your email address"),
                "invalid": _("Enter an email address in the correct format, like name@example.com"),
            }
        )


class NewPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = _("Save password")


class ChangePasswordForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    submit_label = _("Change password")


def seconds_to_wait(devices) -> int:
    """How long django-otp refuses every code, right or wrong, after a wrong one (the wait
    doubles with each), or 0 when a code would be checked now."""
    now = timezone.now()
    waits = [0]
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            waits.append(math.ceil((details["locked_until"] - now).total_seconds()))
    return max(waits)


def wait_error(seconds: int) -> ValidationError:
    return ValidationError(
        ngettext(
            "You entered a wrong code just now. Wait %(seconds)d second, then enter the code again",
            "You entered a wrong code just now. Wait %(seconds)d seconds, "
            "then enter the code again",
            seconds,
        )
        % {"seconds": seconds}
    )


class SecurityCodeForm(GovukFormMixin, forms.Form):
    """A code from the user's authenticator app or, with backup=True, one of their backup codes
    (letters and digits, so without the numeric keyboard the app's code gets on a phone)."""

    code = forms.CharField(
        label=_("Security code"),
        help_text=_("The 6-digit code from your authenticator app."),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter your security code")},
    )

    def __init__(self, *args, user, backup=False, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if backup:
            field = self.fields["code"]
            field.label = _("Backup code")
            field.help_text = _("One of the backup codes you saved when you set up your app.")
            field.error_messages["required"] = _("Enter your backup code")
            field.widget.attrs = {
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "none",
            }
        self.helper.layout = Layout(Field.text("code", field_width=Fixed.TEN))

    def clean_code(self):
        wait = seconds_to_wait(devices_for_user(self.user))
        self.device = match_token(self.user, self.cleaned_data["code"].replace(" ", ""))
        if self.device is None:
            # A code typed during the wait is refused unchecked, so it may well be right.
            raise (
                wait_error(wait)
                if wait > 0
                else ValidationError(_("Enter a correct security code"))
            )
        return self.cleaned_data["code"]


class ConfirmAuthenticatorForm(SecurityCodeForm):
    """The first code from a newly added authenticator app proves it was set up right."""

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, user=device.user, **kwargs)
        self.device = device
        self.fields["code"].label = _("Code from your authenticator app")
        self.fields["code"].help_text = ""

    def clean_code(self):
        wait = seconds_to_wait([self.device])
        if not self.device.verify_token(self.cleaned_data["code"].replace(" ", "")):
            raise (
                wait_error(wait)
                if wait > 0
                else ValidationError(_("Enter the code your authenticator app shows now"))
            )
        return self.cleaned_data["code"]


class EmailSignInForm(GovukFormMixin, forms.Form):
    submit_label = _("Send me a link")

    email = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
