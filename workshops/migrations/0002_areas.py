from django.db import migrations

# The four areas from the workshop write-up; after this they are data that staff edit.
AREAS = [
    (
        "Cultural change",
        "cultural-change",
        "Actions for senior and middle management; how people see and lead the use of digital tools.",
        "digital-leaders-network",
    ),
    (
        "Infrastructure",
        "infrastructure",
        "Access to tools, blocked sites, old browsers and equipment.",
        "ict-strategy-board",
    ),
    (
        "Empowerment",
        "empowerment",
        "Permission, trust and clear guidance.",
        "government-digital-service",
    ),
    (
        "Training",
        "training",
        "Skills, digital champions and learning.",
        "civil-service-learning",
    ),
]


def create_areas(apps, schema_editor):
    Area = apps.get_model("workshops", "Area")
    Organisation = apps.get_model("actions", "Organisation")
    for order, (name, slug, includes, owner_slug) in enumerate(AREAS, start=1):
        Area.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "includes": includes,
                "default_owner": Organisation.objects.filter(slug=owner_slug).first(),
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
        ("actions", "0003_default_organisations"),
    ]

    operations = [migrations.RunPython(create_areas, migrations.RunPython.noop)]
