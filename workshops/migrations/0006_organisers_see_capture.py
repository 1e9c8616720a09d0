from importlib import import_module

from django.db import migrations


def let_organisers_see_capture(apps, schema_editor):
    roles = import_module("workshops.migrations.0003_roles")
    roles.grant_organisers_view(apps, "workshops", ["capturebatch", "flipchartphoto"])


class Migration(migrations.Migration):
    dependencies = [("workshops", "0005_history")]

    operations = [migrations.RunPython(let_organisers_see_capture, migrations.RunPython.noop)]
