from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms

# crispy-forms-gds marks only these widgets as in error; other inputs need it done for them.
_MARKED_BY_TEMPLATE_PACK = (forms.TextInput, forms.Textarea, forms.Select)
_NOT_TEXT_INPUTS = {"checkbox", "radio", "file", "hidden"}


class GovukFormMixin:
    """Renders the form the GOV.UK way, with one primary button."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        # Errors are reported by the service, not by the browser's own pop-ups.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label))

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            if (
                isinstance(widget, forms.widgets.Input)
                and type(widget) not in _MARKED_BY_TEMPLATE_PACK
                and widget.input_type not in _NOT_TEXT_INPUTS
            ):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} govuk-input--error"


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
