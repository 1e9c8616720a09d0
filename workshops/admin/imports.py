"""A workshop's "Import notes" pages: upload a CSV or XLSX file, choose what each column holds,
see the first rows as the notes they become, then import every row or none.

The file is read once, on upload, and its cells kept in a PendingImport row keyed by a random id
that only its uploader can open: the second step needs no second upload, nothing is written to
disk, and a day-old upload is deleted by the next one."""

import datetime
import time
import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from workshops.imports import (
    FIELDS,
    IGNORE,
    MAX_FILE_BYTES,
    MAX_SOURCE,
    PREVIEW_ROWS,
    ImportRefused,
    RowReader,
    mapping_remember,
    read_table,
    remembered_mapping,
)
from workshops.models import ContributionKind, FlipchartGroup, PendingImport, Workshop
from workshops.services import notes_import

KEEP_UPLOADS_FOR = datetime.timedelta(days=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of notes",
        help_text="A CSV or XLSX file with a row of column headings first, such as a Slido, "
        "Mentimeter or Microsoft Forms export, a list of tweets or a typed-up flipchart. "
        f"{MAX_FILE_BYTES // (1024 * 1024)} MB at most.",
        error_messages={"required": "Select a CSV or XLSX file"},
    )


class MappingForm(forms.Form):
    """One choice of column per field, and what rows without that column get."""

    default_kind = forms.ChoiceField(
        label="Kind of rows without one",
        choices=ContributionKind.choices,
        initial=ContributionKind.COMMENT,
    )
    default_group = forms.ModelChoiceField(
        FlipchartGroup.objects.none(),
        label="Flipchart group of rows without one",
        required=False,
        empty_label="Choose a group",
    )
    default_source = forms.CharField(
        label="Source of rows without one",
        required=False,
        max_length=MAX_SOURCE,
        help_text="For example, “#asksirbob on Twitter” or “Slido, 21 June”.",
    )

    def __init__(self, *args, workshop: Workshop, headings: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headings = headings
        column_choices = [(IGNORE, "Not in the file")] + [
            (str(index), heading or f"Column {index + 1} (no heading)")
            for index, heading in enumerate(headings)
        ]
        mapped = []
        for field, label in FIELDS.items():
            self.fields[f"column_{field}"] = forms.ChoiceField(
                label=label,
                choices=column_choices,
                required=field == "text",
                error_messages={"required": "Choose the column that holds the note text"},
            )
            mapped.append(f"column_{field}")
        self.order_fields([*mapped, "default_kind", "default_group", "default_source"])
        self.fields["default_group"].queryset = workshop.groups.order_by("order", "subject")

    def mapping(self) -> dict[str, str]:
        """Field -> heading, from the bound data (valid or not, so a preview can follow it)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        mapping = {}
        for field in FIELDS:
            index = data.get(f"column_{field}", IGNORE)
            if index != IGNORE:
                mapping[field] = self.headings[int(index)]
        return mapping

    def clean(self):
        cleaned = super().clean()
        chosen = [cleaned.get(f"column_{field}", IGNORE) for field in FIELDS]
        chosen = [index for index in chosen if index != IGNORE]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("Choose each column for one field only")
        return cleaned


def initial_for(headings: list[str]) -> dict[str, str]:
    mapping = remembered_mapping(headings)
    return {
        f"column_{field}": str(headings.index(mapping[field])) if field in mapping else IGNORE
        for field in FIELDS
    }


def _workshop_for_import(model_admin, request, object_id) -> Workshop:
    workshop = get_object_or_404(Workshop, pk=object_id)
    if not (
        model_admin.has_change_permission(request, workshop)
        and request.user.has_perm("workshops.add_contribution")
    ):
        raise PermissionDenied
    return workshop


def _context(model_admin, request, workshop, title, **extra):
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": model_admin.opts,
        "workshop": workshop,
        **extra,
    }


def import_upload_view(model_admin, request, object_id):
    workshop = _workshop_for_import(model_admin, request, object_id)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_FILE_BYTES:
                raise ImportRefused(
                    f"The file must be {MAX_FILE_BYTES // (1024 * 1024)} MB or smaller"
                )
            table = read_table(upload.name, upload.read())
        except ImportRefused as refusal:
            form.add_error("file", str(refusal))
        else:
            PendingImport.objects.filter(uploaded_at__lt=timezone.now() - KEEP_UPLOADS_FOR).delete()
            PendingImport.objects.filter(workshop=workshop, uploaded_by=request.user).delete()
            pending = PendingImport.objects.create(
                workshop=workshop,
                uploaded_by=request.user,
                filename=upload.name[:200],
                headings=table.headings,
                rows=table.rows,
            )
            url = reverse("admin:workshops_workshop_import_preview", args=[workshop.pk])
            return HttpResponseRedirect(f"{url}?upload={pending.key}")
    return TemplateResponse(
        request,
        "admin/workshops/workshop/import_upload.html",
        _context(model_admin, request, workshop, f"Import notes: {workshop}", form=form),
    )


def _pending(request, workshop) -> PendingImport | None:
    try:
        key = uuid.UUID(request.GET.get("upload", ""))
    except ValueError:
        return None
    return PendingImport.objects.filter(
        key=key, workshop=workshop, uploaded_by=request.user
    ).first()


def preview(reader: RowReader, rows: list[tuple[int, list[str]]]) -> list[dict]:
    """The first rows as the notes they become, or each one's reason for refusal."""
    shown = []
    for number, row_cells in rows:
        try:
            row = reader.row(row_cells, number)
        except ImportRefused as refusal:
            shown.append({"number": number, "error": str(refusal)})
        else:
            shown.append({"number": number, "note": row, "kind": ContributionKind(row.kind).label})
    return shown


def imported_message(result, filename: str, seconds: float) -> str:
    message = ngettext(
        "Imported %(added)s note from %(file)s in %(seconds).1f s",
        "Imported %(added)s notes from %(file)s in %(seconds).1f s",
        result.added,
    ) % {"added": f"{result.added:,}", "file": filename, "seconds": seconds}
    if result.already_there:
        message += f" ({result.already_there:,} already imported, not added again)"
    return message + ". They wait in triage until reviewed."


def import_preview_view(model_admin, request, object_id):
    workshop = _workshop_for_import(model_admin, request, object_id)
    upload_url = reverse("admin:workshops_workshop_import_notes", args=[workshop.pk])
    pending = _pending(request, workshop)
    if pending is None:
        model_admin.message_user(
            request, "Upload the file to import (an upload is kept for a day).", messages.WARNING
        )
        return HttpResponseRedirect(upload_url)
    headings = pending.headings
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        workshop=workshop,
        headings=headings,
        initial={**initial_for(headings), "default_source": pending.filename},
    )
    refusal, preview_rows, rows = None, [], []
    if not form.is_bound or form.is_valid():
        values = form.cleaned_data if form.is_bound else form.initial
        mapping = form.mapping() if form.is_bound else remembered_mapping(headings)
        try:
            reader = RowReader(
                workshop=workshop,
                headings=headings,
                mapping=mapping,
                default_kind=values.get("default_kind") or ContributionKind.COMMENT,
                default_group=values.get("default_group"),
                default_source=values.get("default_source", ""),
            )
            preview_rows = preview(reader, pending.rows[:PREVIEW_ROWS])
            rows = reader.read(pending.rows)
        except ImportRefused as error:
            refusal = error
        if form.is_bound and "import" in request.POST and refusal is None:
            started = time.perf_counter()
            try:
                result = notes_import(workshop=workshop, rows=rows, by=request.user)
            except ImportRefused as error:
                refusal = error
            else:
                mapping_remember(mapping)
                pending.delete()
                model_admin.message_user(
                    request,
                    imported_message(result, pending.filename, time.perf_counter() - started),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:workshops_workshop_triage", args=[workshop.pk])
                )
    return TemplateResponse(
        request,
        "admin/workshops/workshop/import_preview.html",
        _context(
            model_admin,
            request,
            workshop,
            f"Import notes: {workshop}",
            form=form,
            pending=pending,
            row_count=len(pending.rows),
            preview_rows=preview_rows,
            refusal=refusal,
            upload_url=upload_url,
            fields=[form[f"column_{field}"] for field in FIELDS],
            defaults=[form["default_kind"], form["default_group"], form["default_source"]],
        ),
    )
