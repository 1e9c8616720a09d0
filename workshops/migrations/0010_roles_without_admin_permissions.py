from django.db import migrations

# Facilitators and owners work only in the service's own pages, where code decides what they
# see. Model permissions would open admin pages to them as soon as someone ticks "staff status".
ROLES_WITHOUT_ADMIN = ["Facilitators", "Owners"]


def remove_admin_permissions(apps, schema_editor=None):
    """Also used by tests that empty the database and put the roles back."""
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ROLES_WITHOUT_ADMIN):
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0009_followers"),
    ]

    operations = [migrations.RunPython(remove_admin_permissions, migrations.RunPython.noop)]
