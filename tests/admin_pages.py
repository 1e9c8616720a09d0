"""Sending the admin's own change pages back, as a browser would."""


def _post_value(bound):
    value = bound.value()
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    return bound.field.widget.format_value(value)


def change_form_data(response) -> dict:
    """What the browser would send back from an admin change page, untouched: its own fields
    and each inline's existing rows, with no new rows. The page guards against edit conflicts."""
    assert 'type="hidden" name="edit_fingerprint"' in response.text
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data[management.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        data[management.add_prefix("INITIAL_FORMS")] = len(formset.initial_forms)
        forms += formset.initial_forms
    for form in forms:
        for name in form.fields:
            value = _post_value(form[name])
            if value is not None:
                data[form.add_prefix(name)] = value
    return data
