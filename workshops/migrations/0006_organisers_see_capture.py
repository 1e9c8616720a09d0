from importlib import import_module

from django.db import migrations

CAPTURE_VIEW_PERMISSIONS = ["view_capturebatch", "view_flipchartphoto"]


def let_organisers_see_capture(apps, schema_editor):
    import_module("workshops.migrations.0003_roles").make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for organisers in Group.objects.filter(name="Organisers"):
        organisers.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="workshops", codename__in=CAPTURE_VIEW_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [("workshops", "0005_history")]

    operations = [migrations.RunPython(let_organisers_see_capture, migrations.RunPython.noop)]
