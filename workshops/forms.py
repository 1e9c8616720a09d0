import uuid

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fixed, Layout, Size, Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django_otp import match_token

from workshops.capture import parse_notes
from workshops.models import Contribution, ContributionKind
from workshops.photos import check_photo

# crispy-forms-gds marks only these widgets as in error; other inputs need it done for them.
_MARKED_BY_TEMPLATE_PACK = (forms.TextInput, forms.Textarea, forms.Select)
_NOT_TEXT_INPUTS = {"checkbox", "radio", "file", "hidden"}


class GovukFormMixin:
    """Renders the form the GOV.UK way, with one primary button."""

    submit_label = "Continue"
    submit_attrs: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        # Errors are reported by the service, not by the browser's own pop-ups.
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", self.submit_label, **self.submit_attrs))

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


class CaptureForm(GovukFormMixin, forms.Form):
    """A batch of flipchart notes, one per line, with a one-time key against double submits."""

    submit_label = "Add notes"
    submit_attrs = {"data-prevent-double-click": "true"}

    notes = forms.CharField(
        label="Notes, one per line",
        help_text=(
            "Start a line with + for a positive, - for a negative, ? for a question "
            "or ! for an idea. Other lines take the kind chosen below."
        ),
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "true"}),
        error_messages={"required": "Enter at least one note"},
    )
    kind = forms.ChoiceField(
        label="Kind of note, unless a line says otherwise",
        choices=ContributionKind.choices,
        initial=ContributionKind.COMMENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of note"},
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("notes", label_size=Size.MEDIUM, rows=8),
            Field.radios("kind", legend_size=Size.SMALL, small=True, inline=True),
            "key",
        )

    def refuse_reused_key(self):
        """Keep the typed notes, explain, and give the form a fresh key for the next send."""
        self.add_error(
            "notes",
            "These notes differ from the ones this form sent before. Check the notes listed "
            "below and send again only the ones that are missing",
        )
        self.data = self.data.copy()
        self.data["key"] = str(uuid.uuid4())

    def clean(self):
        cleaned = super().clean()
        if "notes" in cleaned and "kind" in cleaned:
            try:
                cleaned["parsed_notes"] = parse_notes(
                    cleaned["notes"], default_kind=cleaned["kind"]
                )
            except ValidationError as error:
                self.add_error("notes", error)
        return cleaned


class ContributionForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Save changes"

    class Meta:
        model = Contribution
        fields = ["text", "kind", "reach"]
        labels = {"text": "Note", "kind": "Kind of note", "reach": "How widely was it shared?"}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
            "reach": forms.RadioSelect,
        }
        error_messages = {
            "text": {
                "required": "Enter the note",
                "max_length": "Note must be 1,000 characters or fewer",
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ContributionKind.choices
        self.helper.layout = Layout(
            Field.textarea("text", label_size=Size.MEDIUM, rows=3),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            Field.radios("reach", legend_size=Size.SMALL, small=True),
        )

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if self.instance.closed_at and kind != ContributionKind.QUESTION:
            raise ValidationError(
                "This question has been answered or closed, so it must stay a question",
                code="closed_question",
            )
        return kind


class StartRoundsForm(GovukFormMixin, forms.Form):
    submit_label = "Start all rounds now"

    grace_minutes = forms.IntegerField(
        label="Grace period after each round, in minutes",
        help_text="Notes typed this long after a round ends still count as on time.",
        min_value=0,
        max_value=60,
        error_messages={
            "required": "Enter a grace period in minutes",
            "invalid": "Grace period must be a whole number of minutes, like 2",
            "min_value": "Grace period must be 0 minutes or more",
            "max_value": "Grace period must be 60 minutes or fewer",
        },
        # GOV.UK asks for a text input with a numeric keyboard rather than type="number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("grace_minutes", field_width=Fixed.TWO))


class PhotoForm(GovukFormMixin, forms.Form):
    submit_label = "Upload photo"

    photo = forms.FileField(
        label="Photo of the flipchart",
        help_text="A JPG, PNG or WebP photo, up to 15 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "required": "Select a photo of the flipchart",
            "empty": "The selected file is empty",
            "invalid": "The selected file must be a JPG, PNG or WebP photo",
        },
    )

    def clean_photo(self):
        return check_photo(self.cleaned_data["photo"])


class FollowForm(GovukFormMixin, forms.Form):
    submit_label = "Get updates"

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will send you a link to confirm. We keep only your email address.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def refuse_too_many(self):
        self.add_error("email", "You have asked too many times. Try again in an hour")


class ConfirmForm(GovukFormMixin, forms.Form):
    """A single button: links in emails are opened by scanners, so a change needs a POST."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
