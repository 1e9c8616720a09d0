from django.db import migrations

DEFAULT_ORGANISATIONS = [
    ("Digital Leaders network", "digital-leaders-network", "network"),
    ("ICT Strategy Board", "ict-strategy-board", "board"),
    ("Government Digital Service", "government-digital-service", "team"),
    ("Civil Service Learning", "civil-service-learning", "team"),
]


def create_default_owners(apps, schema_editor):
    Organisation = apps.get_model("actions", "Organisation")
    for name, slug, kind in DEFAULT_ORGANISATIONS:
        Organisation.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("actions", "0002_initial")]

    operations = [migrations.RunPython(create_default_owners, migrations.RunPython.noop)]
