from crispy_forms_gds.layout import Field, Fixed, Layout, Size
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem, Status
from actions.services import Refused, action_cascade_choices, action_update_check
from feedback_site.forms import GovukFormMixin
from workshops.models import Contribution, Workshop

NOTE_NEEDED_FOR = (Status.DONE, Status.BLOCKED, Status.WONT_DO)
DATE_FORMATS = ["%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]


class FutureDateField(forms.DateField):
    """A date typed as day, month and year, which must be after today. Errors name it by
    `name`, as a label's "(optional)" has no place in an error message."""

    def __init__(self, *, label, name=None, **kwargs):
        name = name or label
        super().__init__(
            label=label,
            required=False,
            input_formats=DATE_FORMATS,
            help_text=_("For example, 31 3 2027"),
            error_messages={
                "invalid": format_lazy(_("{name} must be a real date, like 31 3 2027"), name=name)
            },
            widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value is not None and value <= timezone.localdate():
            raise forms.ValidationError(_("Due date must be in the future"))


class UpdateForm(GovukFormMixin, forms.Form):
    """Post an update. Once the action is accepted and no proposal is waiting, it may propose a
    new due date; the rules themselves are `action_update_check`'s."""

    submit_label = _("Post update")
    submit_attrs = {"data-prevent-double-click": "true"}

    status = forms.ChoiceField(
        label=_("Status"),
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select a status"), "invalid_choice": _("Select a status")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        help_text=_(
            "What has happened since the last update. Required for done, blocked and won't do."
        ),
        widget=forms.Textarea,
        error_messages={"max_length": _("Note must be 2,000 characters or fewer")},
    )
    new_due_date = FutureDateField(
        label=_("Propose a new due date (optional)"), name=_("New due date")
    )
    reason = forms.CharField(
        label=_("Reason for the new date"),
        required=False,
        max_length=1000,
        help_text=_(
            "Organisers approve or reject the date you propose. Until then the current "
            "due date and its reminders stay."
        ),
        widget=forms.Textarea,
        error_messages={"max_length": _("Reason must be 1,000 characters or fewer")},
    )

    def __init__(self, *args, action: ActionItem, proposal_waiting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        layout = [
            Field.radios("status", legend_size=Size.SMALL, small=True),
            Field.textarea("note", label_size=Size.SMALL, rows=4),
        ]
        if action.is_awaiting_acceptance or proposal_waiting:
            del self.fields["new_due_date"], self.fields["reason"]
        else:
            layout += [
                Field.text("new_due_date", label_size=Size.SMALL, field_width=Fixed.TEN),
                Field.textarea("reason", label_size=Size.SMALL, rows=2),
            ]
        self.helper.layout = Layout(*layout)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") in NOTE_NEEDED_FOR and not cleaned.get("note", "").strip():
            self.add_error("note", _("Enter a note"))
        if not self.errors:
            try:
                action_update_check(
                    action=self.action,
                    status=cleaned["status"],
                    note=cleaned["note"],
                    new_due_date=cleaned.get("new_due_date"),
                    reason=cleaned.get("reason", ""),
                )
            except Refused as refused:
                self.add_refusal(refused)
        return cleaned

    def add_refusal(self, refused: Refused) -> None:
        """Show a refusal from the services against its field, or above the form."""
        self.add_error(refused.field if refused.field in self.fields else None, str(refused))


class AcceptForm(GovukFormMixin, forms.Form):
    submit_label = _("Accept action")

    CONFIRM, PROPOSE = "confirm", "propose"

    accountable = forms.ModelChoiceField(
        label=_("Accountable person"),
        queryset=None,
        empty_label=_("Select a person"),
        error_messages={"required": _("Select the accountable person")},
    )
    deputy = forms.ModelChoiceField(
        label=_("Deputy"),
        queryset=None,
        empty_label=_("Select a person"),
        help_text=_("Receives reminders too once the action is overdue."),
        error_messages={"required": _("Select a deputy")},
    )
    due_date_choice = forms.ChoiceField(
        label=_("Can you meet the due date?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether you can meet the due date"),
            "invalid_choice": _("Select whether you can meet the due date"),
        },
    )
    proposed_due_date = FutureDateField(label=_("Proposed due date"))
    reason = forms.CharField(
        label=_("Reason for the new date"),
        required=False,
        max_length=1000,
        help_text=_("Organisers approve or reject the date you propose."),
        widget=forms.Textarea,
        error_messages={"max_length": _("Reason must be 1,000 characters or fewer")},
    )

    def __init__(self, *args, action: ActionItem, **kwargs):
        super().__init__(*args, **kwargs)
        members = action.owner.acting_members()
        outside = _("Select someone who acts for %(owner)s") % {"owner": action.owner}
        for name in ("accountable", "deputy"):
            self.fields[name].queryset = members
            self.fields[name].label_from_instance = lambda user: user.get_full_name()
            self.fields[name].error_messages["invalid_choice"] = outside
        self.fields["due_date_choice"].choices = [
            (
                self.CONFIRM,
                _("Yes, we will finish by %(date)s") % {"date": date_format(action.due_date)},
            ),
            (self.PROPOSE, _("No, propose a different date")),
        ]
        self.helper.layout = Layout(
            Field.select("accountable"),
            Field.select("deputy"),
            Field.radios("due_date_choice", legend_size=Size.SMALL, small=True),
            Field.text("proposed_due_date", label_size=Size.SMALL, field_width=Fixed.TEN),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
        )

    def clean(self):
        cleaned = super().clean()
        accountable, deputy = cleaned.get("accountable"), cleaned.get("deputy")
        if accountable and deputy and accountable == deputy:
            self.add_error(
                "deputy", _("The deputy must be someone other than the accountable person")
            )
        if cleaned.get("due_date_choice") == self.PROPOSE:
            if not cleaned.get("proposed_due_date") and "proposed_due_date" not in self.errors:
                self.add_error("proposed_due_date", _("Enter the date you propose"))
            if not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Enter a reason for the new date"))
        else:
            cleaned["proposed_due_date"] = None
        return cleaned


class DueDateDecisionForm(GovukFormMixin, forms.Form):
    submit_label = _("Save decision")

    decision = forms.ChoiceField(
        label=_("Do you approve the new date?"),
        choices=[("approve", _("Approve the new date")), ("reject", _("Reject it"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select whether you approve the new date"),
            "invalid_choice": _("Select whether you approve the new date"),
        },
    )
    note = forms.CharField(
        label=_("Note for the organisation (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        error_messages={"max_length": _("Note must be 1,000 characters or fewer")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.SMALL, small=True),
            Field.textarea("note", label_size=Size.SMALL, rows=3),
        )


class ActionFilterForm(forms.Form):
    """Filters for the list of actions; values that are not offered are ignored."""

    workshop = forms.ModelChoiceField(
        label=_("Workshop"), queryset=Workshop.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, workshops, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workshop"].queryset = workshops
        self.fields["status"].choices = [("", _("All")), *Status.choices]

    def workshop_options(self):
        """The workshop filter's options as (value, label, selected), worked out here: a
        template loop over the field's choices would count them, build a model instance for
        each and compare every one with the chosen value through filters."""
        field = self.fields["workshop"]
        chosen = str(self["workshop"].value() or "")
        choices = [("", field.empty_label), *field.queryset.values_list("pk", "title")]
        return [(value, label, str(value) == chosen) for value, label in choices]


class CascadeForm(GovukFormMixin, forms.Form):
    """Choose the departments that each get their own copy of an action to report on."""

    submit_label = _("Cascade to departments")
    submit_attrs = {"data-prevent-double-click": "true"}

    owners = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        label=_("Departments"),
        help_text=_("Select all that apply."),
        error_messages={
            "required": _("Select at least one department"),
            "invalid_choice": _("Select departments from the list"),
            "invalid_pk_value": _("Select departments from the list"),
        },
    )

    def __init__(self, *args, action: ActionItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owners"].queryset = action_cascade_choices(action=action)


class QuestionAnswerForm(GovukFormMixin, forms.Form):
    """An owner's answer to one question routed to their action; several on one page, each
    with its own prefix so their fields never share an id."""

    submit_label = _("Send answer")

    answer = forms.CharField(
        label=_("Your answer"),
        max_length=Contribution.MAX_LENGTH * 4,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Enter an answer"),
            "max_length": _("Answer must be %(limit_value)d characters or fewer"),
        },
    )

    def __init__(self, *args, question: Contribution, action: ActionItem, **kwargs):
        super().__init__(*args, prefix=f"question-{question.pk}", **kwargs)
        self.helper.form_action = reverse(
            "actions:question_answer", kwargs={"pk": action.pk, "question_pk": question.pk}
        )
        self.helper.layout = Layout(Field.textarea("answer", label_size=Size.SMALL, rows=4))
        self.fields["answer"].widget.attrs.pop("maxlength", None)
