from importlib import import_module

from django.db import migrations


def let_organisers_see_failed_jobs(apps, schema_editor):
    roles = import_module("workshops.migrations.0003_roles")
    roles.grant_organisers_view(apps, "feedback_site", ["failedjob"])


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0013_review_before_public"),
        ("feedback_site", "0001_jobs"),
    ]

    operations = [migrations.RunPython(let_organisers_see_failed_jobs, migrations.RunPython.noop)]
