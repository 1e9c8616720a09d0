"""The forms of signing in: password, emailed link, second factor and password changes."""

from crispy_forms_gds.layout import Field, Fixed, Layout
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django_otp import match_token

from feedback_site.forms import GovukFormMixin


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct email address and password",
        "inactive": "This account is inactive",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class ResetPasswordForm(GovukFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
            }
        )


class NewPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Save password"


class ChangePasswordForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"


class SecurityCodeForm(GovukFormMixin, forms.Form):
    """A code from the user's authenticator app, or one of their backup codes."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": "Enter your security code"},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("code", field_width=Fixed.TEN))

    def clean_code(self):
        self.device = match_token(self.user, self.cleaned_data["code"].replace(" ", ""))
        if self.device is None:
            raise ValidationError("Enter a correct security code")
        return self.cleaned_data["code"]


class ConfirmAuthenticatorForm(SecurityCodeForm):
    """The first code from a newly added authenticator app proves it was set up right."""

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, user=device.user, **kwargs)
        self.device = device
        self.fields["code"].label = "Code from your authenticator app"
        self.fields["code"].help_text = ""

    def clean_code(self):
        if not self.device.verify_token(self.cleaned_data["code"].replace(" ", "")):
            raise ValidationError("Enter the code your authenticator app shows now")
        return self.cleaned_data["code"]


class EmailSignInForm(GovukFormMixin, forms.Form):
    submit_label = "Send me a link"

    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
