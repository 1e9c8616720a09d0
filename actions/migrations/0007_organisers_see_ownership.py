from importlib import import_module

from django.db import migrations


def let_organisers_see_ownership(apps, schema_editor):
    roles = import_module("workshops.migrations.0003_roles")
    roles.grant_organisers_view(apps, "actions", ["remindersent", "duedatechange"])


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0006_history_of_ownership"),
        ("workshops", "0003_roles"),
    ]

    operations = [migrations.RunPython(let_organisers_see_ownership, migrations.RunPython.noop)]
