"""Two people editing the same record in the admin: the second to save is told what the first
changed, instead of silently overwriting it.

The change form carries a signed fingerprint of each field as the editor first saw it. On save,
the row is locked (the admin saves inside a transaction, so the lock holds until the save) and
compared with that fingerprint; any field that changed in the meantime stops the save."""

import hashlib

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core import signing
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils.text import get_text_list

FINGERPRINT_FIELD = "edit_fingerprint"
SALT = "workshops.edit_conflicts"


def _comparable(value) -> str:
    if isinstance(value, list | tuple | set):
        return repr(sorted(str(getattr(item, "pk", item)) for item in value))
    return repr(value)


def field_fingerprints(instance, field_names) -> dict[str, str]:
    """A short hash of each named field's stored value."""
    values = model_to_dict(instance, fields=field_names)
    return {
        name: hashlib.sha256(_comparable(value).encode()).hexdigest()[:16]
        for name, value in values.items()
    }


class EditConflictForm(forms.ModelForm):
    """A change form that refuses to save over someone else's changes made since it was opened."""

    edit_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[FINGERPRINT_FIELD] = self._sign(self.instance)

    def _edited_fields(self) -> list[str]:
        return [name for name in self.fields if name != FINGERPRINT_FIELD]

    def _sign(self, instance) -> str:
        return signing.dumps(field_fingerprints(instance, self._edited_fields()), salt=SALT)

    def _seen(self) -> dict[str, str] | None:
        try:
            return signing.loads(self.cleaned_data.get(FINGERPRINT_FIELD) or "", salt=SALT)
        except signing.BadSignature:
            return None

    def clean(self):
        cleaned_data = super().clean()
        seen = self._seen()
        # A form without a fingerprint (a hand-made request) claims nothing about what was seen.
        if self.instance.pk is None or seen is None:
            return cleaned_data
        model = type(self.instance)
        stored = model._base_manager.select_for_update().get(pk=self.instance.pk)
        now = field_fingerprints(stored, self._edited_fields())
        changed = [name for name, fingerprint in now.items() if seen.get(name) != fingerprint]
        self._keep_what_others_saved_outside_the_form(stored)
        if changed:
            # Saving again, having seen the conflict, is a deliberate choice to keep these values.
            self.data = self.data.copy()
            self.data[self.add_prefix(FINGERPRINT_FIELD)] = self._sign(stored)
            labels = [str(self.fields[name].label or name).lower() for name in changed]
            raise ValidationError(
                "Someone else changed the %(fields)s of this %(thing)s while you were editing "
                "it. Your changes have not been saved. Check the %(thing)s's history, then "
                "save again to keep your version",
                code="edit_conflict",
                params={
                    "fields": get_text_list(labels, "and"),
                    "thing": model._meta.verbose_name,
                },
            )
        return cleaned_data

    def _keep_what_others_saved_outside_the_form(self, stored):
        """The admin saves every column; fields this form does not edit (a status an owner
        just posted) must be written back as they are now, not as they were when the page
        was opened."""
        edited = set(self._edited_fields())
        for field in type(self.instance)._meta.concrete_fields:
            if field.name not in edited and not field.primary_key:
                setattr(self.instance, field.attname, getattr(stored, field.attname))


class EditConflictAdminMixin:
    """For a ModelAdmin: its change form carries the fingerprint and checks it on save."""

    form = EditConflictForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or FINGERPRINT_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], FINGERPRINT_FIELD]}), *rest]
