from django import forms

from feedback_site.forms import GovukFormMixin


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
