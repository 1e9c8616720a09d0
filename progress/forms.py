from django import forms
from django.utils.translation import gettext_lazy as _

from feedback_site.forms import GovukFormMixin
from feedback_site.rate_limits import Verdict


class FollowForm(GovukFormMixin, forms.Form):
    submit_label = _("Get updates")

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will send you a link to confirm. We keep only your email address."),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def refuse(self, verdict: Verdict):
        if verdict is Verdict.UNCOUNTABLE:
            self.add_error(
                "email", _("Emails cannot be sent at the moment. Try again in a few minutes")
            )
        else:
            self.add_error("email", _("You have asked too many times. Try again in an hour"))


class SearchForm(forms.Form):
    """The search of one workshop's progress page: a GET form, so results have an address."""

    q = forms.CharField(
        label=_("Search what was said and done"),
        max_length=100,
        strip=True,
        error_messages={
            "required": _("Enter words to search for"),
            "max_length": _("Search must be 100 characters or fewer"),
        },
    )
