from django import forms

from feedback_site.forms import GovukFormMixin
from feedback_site.rate_limits import Verdict


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

    def refuse(self, verdict: Verdict):
        if verdict is Verdict.UNCOUNTABLE:
            self.add_error(
                "email", "Emails cannot be sent at the moment. Try again in a few minutes"
            )
        else:
            self.add_error("email", "You have asked too many times. Try again in an hour")


class SearchForm(forms.Form):
    """The search of one workshop's progress page: a GET form, so results have an address."""

    q = forms.CharField(
        label="Search what was said and done",
        max_length=100,
        strip=True,
        error_messages={
            "required": "Enter words to search for",
            "max_length": "Search must be 100 characters or fewer",
        },
    )
