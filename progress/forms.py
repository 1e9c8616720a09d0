from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from actions.forms import DATE_FORMATS
from feedback_site.forms import GovukFormMixin
from feedback_site.rate_limits import Verdict
from progress.models import WorkshopReport
from workshops.models import Contribution, Workshop


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


# A field people never see, so only a robot filling every input fills it in.
HONEYPOT = HTML(
    '<div class="govuk-form-group" hidden><label class="govuk-label" for="id_website">'
    'Leave this empty</label><input class="govuk-input" type="text" name="website" '
    'id="id_website" autocomplete="off" tabindex="-1"></div>'
)


class OnlineContributionForm(GovukFormMixin, forms.Form):
    """Ask a question or add a view about one of a workshop's subjects, from anywhere."""

    submit_label = _("Send")

    kind = forms.ChoiceField(
        label=_("Do you want to ask a question or add your view?"),
        choices=[
            (Contribution.Kind.QUESTION, _("Ask a question")),
            (Contribution.Kind.COMMENT, _("Add my view")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you are asking a question or adding a view")},
    )
    group = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select what your question or view is about")},
    )
    text = forms.CharField(
        label=_("Your question or view"),
        max_length=Contribution.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Do not include personal details, such as your name or anyone else's."),
        error_messages={
            "required": _("Enter your question or view"),
            "max_length": _(
                "Your question or view must be %(limit_value)d characters or fewer: it has "
                "%(show_value)d"
            ),
        },
    )
    email = forms.EmailField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        help_text=_(
            "Only if you ask a question and want to be told the answer. We will send you a link "
            "to confirm, and use your address for nothing else. Leave it empty to stay "
            "anonymous."
        ),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("Email address must be 254 characters or fewer"),
        },
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    website = forms.CharField(required=False)

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = workshop.groups.order_by("order", "pk")
        self.fields["group"].label_from_instance = lambda group: group.subject
        # The length is checked on sending, with an error that keeps the text: a browser's
        # maxlength would cut off what was pasted without a word.
        self.fields["text"].widget.attrs.pop("maxlength", None)
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.radios("group", legend_size=Size.MEDIUM),
            Field.textarea("text", label_size=Size.MEDIUM),
            Field.text("email", label_size=Size.MEDIUM),
            HONEYPOT,
        )

    @property
    def is_from_a_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("email") and cleaned.get("kind") != Contribution.Kind.QUESTION:
            self.add_error(
                "email",
                _("Only questions are answered: leave the email address empty to add a view"),
            )
        return cleaned

    def refuse_as_too_many(self):
        self.add_error(
            "text",
            _(
                "Too many questions and views have been sent in the last hour. Your text is "
                "kept below: try again in an hour"
            ),
        )

    def refuse_email(self, verdict: Verdict):
        if verdict is Verdict.UNCOUNTABLE:
            message = _("Emails cannot be sent at the moment. Try again in a few minutes")
        else:
            message = _(
                "Too many emails have been sent to this address in the last hour. Try again in "
                "an hour, or leave it empty"
            )
        self.add_error("email", message)


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
