import uuid

from crispy_forms_gds.layout import HTML, Field, Fixed, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from feedback_site.forms import GovukFormMixin
from workshops.capture import parse_notes
from workshops.models import Contribution, ContributionKind
from workshops.photos import check_photo

# The folded options' summary names the kind that lines without a symbol get.
OPTIONS_SUMMARY = {
    ContributionKind.COMMENT: _("Options: lines without a symbol count as a comment"),
    ContributionKind.POSITIVE: _("Options: lines without a symbol count as a positive"),
    ContributionKind.NEGATIVE: _("Options: lines without a symbol count as a negative"),
    ContributionKind.QUESTION: _("Options: lines without a symbol count as a question"),
    ContributionKind.IDEA: _("Options: lines without a symbol count as an idea"),
}


class CaptureForm(GovukFormMixin, forms.Form):
    """A batch of flipchart notes, one per line, with a one-time key against double submits.

    Laid out for a phone: the notes and the button first, the options folded below them in a
    details component (which opens without JavaScript)."""

    submit_label = _("Add notes")
    submit_attrs = {"data-prevent-double-click": "true"}

    notes = forms.CharField(
        label=_("Notes, one per line"),
        strip=False,
        widget=forms.Textarea(attrs={"spellcheck": "true"}),
        error_messages={"required": _("Enter at least one note")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of note, unless a line says otherwise"),
        choices=ContributionKind.choices,
        initial=ContributionKind.COMMENT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the kind of note")},
    )
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The button goes right under the notes, not after the options.
        self.helper.inputs = []
        kind = self["kind"].value() or ContributionKind.COMMENT
        options_summary = OPTIONS_SUMMARY.get(kind, OPTIONS_SUMMARY[ContributionKind.COMMENT])
        # Open when the options need attention, or when a kind other than the usual is chosen.
        is_open = "kind" in self.errors or kind != ContributionKind.COMMENT
        self.helper.layout = Layout(
            Field.textarea("notes", label_size=Size.SMALL, rows=4),
            Submit("submit", self.submit_label, **self.submit_attrs),
            HTML(
                format_html(
                    '<details class="govuk-details"{}><summary class="govuk-details__summary">'
                    '<span class="govuk-details__summary-text">{}</span></summary>'
                    '<div class="govuk-details__text"><p class="govuk-body">{}</p>',
                    " open" if is_open else "",
                    options_summary,
                    _(
                        "To mark a note, start its line with a symbol and a space: “+ ” positive, "
                        "“- ” negative, “? ” question, “! ” idea. A symbol without a space after "
                        "it, as in “+1”, is kept as typed."
                    ),
                )
            ),
            Field.radios("kind", legend_size=Size.SMALL, small=True),
            HTML("</div></details>"),
            "key",
        )

    def focus_notes(self):
        """Put the cursor in the notes, unless an error summary is there to take focus first."""
        self.fields["notes"].widget.attrs["autofocus"] = ""

    def refuse_after_round(self, group):
        """A strict workshop's round is over: keep the typed notes in the form and say why."""
        self.add_error(
            "notes",
            _(
                "The round ended at %(time)s and this workshop's time limits are strict, so "
                "these notes were not added. They are still here: copy them, or add them when "
                "the next round starts"
            )
            % {"time": f"{timezone.localtime(group.round_ends_at):%H:%M}"},
        )

    def refuse_reused_key(self):
        """Keep the typed notes, explain, and give the form a fresh key for the next send."""
        self.add_error(
            "notes",
            _(
                "These notes differ from the ones this form sent before. Check the notes listed "
                "below and send again only the ones that are missing"
            ),
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
    submit_label = _("Save changes")

    class Meta:
        model = Contribution
        fields = ["text", "kind", "reach"]
        labels = {
            "text": _("Note"),
            "kind": _("Kind of note"),
            "reach": _("How widely was it shared?"),
        }
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
            "reach": forms.RadioSelect,
        }
        error_messages = {
            "text": {
                "required": _("Enter the note"),
                "max_length": _("Note must be 1,000 characters or fewer"),
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
                _("This question has been answered or closed, so it must stay a question"),
                code="closed_question",
            )
        return kind


class StartRoundsForm(GovukFormMixin, forms.Form):
    submit_label = _("Start all rounds now")

    grace_minutes = forms.IntegerField(
        label=_("Grace period after each round, in minutes"),
        help_text=_("Notes typed this long after a round ends still count as on time."),
        min_value=0,
        max_value=60,
        error_messages={
            "required": _("Enter a grace period in minutes"),
            "invalid": _("Grace period must be a whole number of minutes, like 2"),
            "min_value": _("Grace period must be 0 minutes or more"),
            "max_value": _("Grace period must be 60 minutes or fewer"),
        },
        # GOV.UK asks for a text input with a numeric keyboard rather than type="number".
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, round_number: int = 1, **kwargs):
        self.submit_label = _("Start round %(round)s at every flipchart") % {"round": round_number}
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("grace_minutes", field_width=Fixed.TWO))


class PhotoForm(GovukFormMixin, forms.Form):
    submit_label = _("Upload photo")

    photo = forms.FileField(
        label=_("Photo of the flipchart"),
        help_text=_("A JPG, PNG or WebP photo, up to 15 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "required": _("Select a photo of the flipchart"),
            "empty": _("The selected file is empty"),
            "invalid": _("The selected file must be a JPG, PNG or WebP photo"),
        },
    )

    def clean_photo(self):
        return check_photo(self.cleaned_data["photo"])


class KindFixForm(forms.Form):
    """One tap to change how a just-added note was read."""

    kind = forms.ChoiceField(choices=ContributionKind.choices)
    added = forms.UUIDField(required=False)
