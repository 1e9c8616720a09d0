from django.contrib.auth.management import create_permissions
from django.db import migrations

# Model permissions per role; what each role may see of other people's data is decided in code.
ROLE_PERMISSIONS = {
    "Organisers": {
        "workshops": {
            "workshop": ["add", "change", "delete", "view"],
            "flipchartgroup": ["add", "change", "delete", "view"],
            "contribution": ["add", "change", "view"],
            "capturebatch": ["view"],
            "flipchartphoto": ["view"],
            "area": ["add", "change", "view"],
            "theme": ["add", "change", "delete", "view"],
            "user": ["add", "change", "view"],
        },
        "actions": {
            "organisation": ["add", "change", "view"],
            "actionitem": ["add", "change", "view"],
            "actionsource": ["add", "change", "delete", "view"],
            "statusupdate": ["add", "view"],
        },
    },
    "Facilitators": {
        "workshops": {
            "workshop": ["view"],
            "flipchartgroup": ["view"],
            "contribution": ["add", "change", "view"],
        },
    },
    "Owners": {
        "actions": {
            "actionitem": ["view"],
            "statusupdate": ["add", "view"],
        },
    },
}


def make_permissions(apps):
    """Permissions are normally made after migrate; make them now so groups can hold them."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    make_permissions(apps)
    assign_role_permissions(apps)


def assign_role_permissions(apps):
    """Create the role groups with their permissions; also used by tests that empty the database."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, apps_models in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, models in apps_models.items():
            for model, verbs in models.items():
                codenames = [f"{verb}_{model}" for verb in verbs]
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_areas"),
        ("actions", "0003_default_organisations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]


def grant_organisers_view(apps, app_label, model_names):
    """Let organisers see models added after the roles were made (used by later migrations)."""
    make_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [f"view_{model_name}" for model_name in model_names]
    for organisers in Group.objects.filter(name="Organisers"):
        organisers.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
