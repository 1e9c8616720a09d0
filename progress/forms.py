from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from actions.forms import DATE_FORMATS
from feedback_site.forms import GovukFormMixin
from feedback_site.rate_limits import Verdict
from progress.models import WorkshopReport


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


class ReportForm(GovukFormMixin, forms.ModelForm):
    """The parts of the report back the organisers write; the figures come from the data."""

    submit_label = _("Save and preview")

    introduction = forms.CharField(
        label=_("Introduction"),
        max_length=5000,
        widget=forms.Textarea,
        help_text=_(
            "Why the workshop was held and what this report covers. What was heard, what was "
            "done and the questions are filled in from the service when you publish."
        ),
        error_messages={
            "required": _("Enter an introduction"),
            "max_length": _("Introduction must be 5,000 characters or fewer"),
        },
    )
    next_steps = forms.CharField(
        label=_("What happens next"),
        max_length=5000,
        widget=forms.Textarea,
        error_messages={
            "required": _("Enter what happens next"),
            "max_length": _("What happens next must be 5,000 characters or fewer"),
        },
    )
    moved_due_date = forms.DateField(
        label=_("Report-back date (optional)"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"invalid": _("Report-back date must be a real date, like 31 3 2027")},
    )

    class Meta:
        model = WorkshopReport
        fields = ["introduction", "next_steps", "moved_due_date"]

    def __init__(self, *args, rule_date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moved_due_date"].help_text = _(
            "Leave empty for 3 calendar months after the workshop: %(date)s. For example, 31 3 2027"
        ) % {"date": date_format(rule_date)}
