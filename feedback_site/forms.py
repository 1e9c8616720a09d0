"""The GOV.UK way of rendering a form, shared by every app's forms."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

# crispy-forms-gds marks only these widgets as in error; other inputs need it done for them.
_MARKED_BY_TEMPLATE_PACK = (forms.TextInput, forms.Textarea, forms.Select)
_NOT_TEXT_INPUTS = {"checkbox", "radio", "file", "hidden"}


class GovukFormMixin:
    """Renders the form the GOV.UK way, with one primary button."""

    submit_label = _("Continue")
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


class ConfirmForm(GovukFormMixin, forms.Form):
    """A single button: links in emails are opened by scanners, so a change needs a POST."""

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
