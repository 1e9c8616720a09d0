"""Generate the benchmark's data set in bulk: a department-wide rollout of the service.

Every row it makes is marked (slugs start `bench-`, emails end `@bench.invalid`) so that it can
tell a benchmark database from a real one, and it refuses to touch a database holding anything
else besides the rows the data migrations create."""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts import roles
from actions.models import ActionItem, Organisation, Status, StatusUpdate
from workshops.models import (
    Area,
    Contribution,
    FlipchartGroup,
    Reach,
    RecurringTheme,
    RecurringThemeLink,
    Theme,
    User,
    Workshop,
)

SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "@bench.invalid"
BUSY_WORKSHOP_SLUG = "bench-busy-workshop"
BUSY_ORGANISATION_SLUG = "bench-busy-organisation"
BOARD_PACK_ORGANISATION_SLUG = "bench-board-pack-organisation"
ADMIN_EMAIL = f"bench-admin{EMAIL_DOMAIN}"

SPECIAL_ORGANISATION_SLUGS = {0: BUSY_ORGANISATION_SLUG, 1: BOARD_PACK_ORGANISATION_SLUG}

# The full data set; --scale multiplies every figure but the busy workshop and organisation's,
# which stay the same size so that their pages can be compared between data sizes.
FULL_SIZE = {
    "workshops": 500,
    "contributions": 40_000,
    "actions": 5_000,
    "organisations": 300,
}
GROUPS_PER_WORKSHOP = 4
BUSY_WORKSHOP_CONTRIBUTIONS = 400
BUSY_WORKSHOP_ACTIONS = 50
BUSY_ORGANISATION_ACTIONS = 50
# A body as large as a board pack gets: it owns exactly these, at every scale.
BOARD_PACK_ORGANISATION_ACTIONS = 200
BATCH_SIZE = 2_000
KINDS = [kind for kind, _ in Contribution.Kind.choices]
REACHES = [reach for reach, _ in Reach.choices]
# Update histories end in every status, so that every group on the owners' page is filled.
STATUS_PATHS = [
    [Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.DONE],
    [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.IN_PROGRESS],
    [Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED, Status.WONT_DO],
    [Status.NOT_STARTED, Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED],
]


def non_benchmark_rows() -> dict[str, int]:
    """Counts of rows that are neither benchmark data nor made by the data migrations."""
    migration_organisations = Area.objects.values("default_owner")
    found = {
        "workshops": Workshop.objects.exclude(slug__startswith=SLUG_PREFIX).count(),
        "users": User.objects.exclude(email__endswith=EMAIL_DOMAIN).count(),
        "organisations": Organisation.objects.exclude(slug__startswith=SLUG_PREFIX)
        .exclude(pk__in=migration_organisations)
        .count(),
    }
    return {table: count for table, count in found.items() if count}


def scaled(figure: int, scale: float) -> int:
    return max(2, round(figure * scale))


class Command(BaseCommand):
    help = "Fill an empty database with the benchmark's data set (marked as benchmark data)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Fraction of the full size (e.g. 0.1)."
        )

    def handle(self, *args, scale, **options):
        if foreign := non_benchmark_rows():
            raise CommandError(
                "This database holds data that is not benchmark data "
                f"({', '.join(f'{n} {table}' for table, n in foreign.items())}); "
                "point DATABASE_URL at an empty database."
            )
        if Workshop.objects.exists():
            raise CommandError("This database already holds benchmark data; use an empty one.")
        self.size = {name: scaled(figure, scale) for name, figure in FULL_SIZE.items()}
        areas = Area.objects.count()
        # Each workshop has a theme per area, each linked to the area's recurring theme.
        per_workshop = 3 + GROUPS_PER_WORKSHOP + 2 * areas
        total = (
            areas
            + self.size["organisations"] * 3
            + self.size["workshops"] * per_workshop
            + self.size["contributions"]
            + self.size["actions"] * (1 + len(STATUS_PATHS[0]))
        )
        progress = tqdm(total=total, unit="rows", disable=options["verbosity"] == 0)
        with progress as self.progress, transaction.atomic():
            self.generate()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Benchmark data ready at scale {scale}: "
            f"{Workshop.objects.count()} workshops, {Contribution.objects.count()} contributions, "
            f"{ActionItem.objects.count()} actions, {StatusUpdate.objects.count()} status updates."
        )

    def create(self, model, rows):
        created = []
        for start in range(0, len(rows), BATCH_SIZE):
            created += model.objects.bulk_create(rows[start : start + BATCH_SIZE])
            self.progress.update(len(rows[start : start + BATCH_SIZE]))
        return created

    def generate(self):
        now = timezone.now()
        today = timezone.localdate()
        areas = list(Area.objects.order_by("order", "pk"))
        organisations = self.create(
            Organisation,
            [
                Organisation(
                    name=f"Benchmark organisation {n}",
                    slug=SPECIAL_ORGANISATION_SLUGS.get(n, f"{SLUG_PREFIX}organisation-{n}"),
                    contact_email=f"organisation-{n}{EMAIL_DOMAIN}",
                )
                for n in range(self.size["organisations"])
            ],
        )
        owners = self.create(
            User,
            [
                User(email=f"owner-{n}{EMAIL_DOMAIN}", full_name=f"Owner {n}", password="!")
                for n in range(len(organisations))
            ],
        )
        facilitators = self.create(
            User,
            [
                User(
                    email=f"facilitator-{n}{EMAIL_DOMAIN}",
                    full_name=f"Facilitator {n}",
                    password="!",
                )
                for n in range(self.size["workshops"])
            ],
        )
        User.objects.create_superuser(email=ADMIN_EMAIL, password=None, full_name="Bench admin")
        self.add_roles(owners, roles.OWNERS)
        self.add_roles(facilitators, roles.FACILITATORS)
        Organisation.members.through.objects.bulk_create(
            Organisation.members.through(organisation=organisation, user=owner)
            for organisation, owner in zip(organisations, owners, strict=True)
        )

        workshops = self.create(
            Workshop,
            [
                Workshop(
                    title="A busy workshop" if n == 0 else f"Benchmark workshop {n}",
                    slug=BUSY_WORKSHOP_SLUG if n == 0 else f"{SLUG_PREFIX}workshop-{n}",
                    event="Benchmark conference",
                    date=today - datetime.timedelta(days=n % 700),
                    purpose="To hear what gets in the way of using social media at work.",
                    is_published=True,
                )
                for n in range(self.size["workshops"])
            ],
        )
        groups = self.create(
            FlipchartGroup,
            [
                FlipchartGroup(
                    workshop=workshop,
                    subject=f"Subject {n}",
                    prompt="What gets in the way?",
                    facilitator_line=f"Facilitator {w}",
                    order=n,
                )
                for w, workshop in enumerate(workshops)
                for n in range(GROUPS_PER_WORKSHOP)
            ],
        )
        FlipchartGroup.facilitators.through.objects.bulk_create(
            FlipchartGroup.facilitators.through(flipchartgroup=group, user=facilitators[w])
            for w, workshop in enumerate(workshops)
            for group in groups[w * GROUPS_PER_WORKSHOP : (w + 1) * GROUPS_PER_WORKSHOP]
        )
        themes = self.create(
            Theme,
            [
                Theme(workshop=workshop, name=f"Theme in {area.name}", area=area)
                for workshop in workshops
                for area in areas
            ],
        )
        # Every workshop's theme of an area is one more time that area's recurring theme was
        # raised: the recurring-theme pages at their largest.
        recurring = self.create(
            RecurringTheme,
            [
                RecurringTheme(
                    name=f"Raised again in {area.name}",
                    slug=f"{SLUG_PREFIX}recurring-{area.slug}",
                    area=area,
                )
                for area in areas
            ],
        )
        self.create(
            RecurringThemeLink,
            [
                RecurringThemeLink(recurring_theme=recurring[n % len(areas)], theme=theme)
                for n, theme in enumerate(themes)
            ],
        )
        self.create_contributions(groups, areas, themes, now)
        actions = self.create_actions(workshops, organisations, areas, today)
        self.create_updates(actions, owners, organisations, now)

    def add_roles(self, users, role):
        group = Group.objects.get(name=role)
        User.groups.through.objects.bulk_create(
            User.groups.through(user=user, group=group) for user in users
        )
        self.progress.update(len(users))

    def create_contributions(self, groups, areas, themes, now):
        """The busy workshop's groups share its notes; every other group an equal share. About
        half are untriaged; the rest carry an area and the workshop's theme for it. One in ten
        (untriaged ones) waits for review."""
        busy_groups, other_groups = groups[:GROUPS_PER_WORKSHOP], groups[GROUPS_PER_WORKSHOP:]
        busy_count = min(BUSY_WORKSHOP_CONTRIBUTIONS, self.size["contributions"] // 2)
        targets = [busy_groups[n % len(busy_groups)] for n in range(busy_count)] + [
            other_groups[n % len(other_groups)]
            for n in range(self.size["contributions"] - busy_count)
        ]
        themes_by_key = {(theme.workshop_id, theme.area_id): theme for theme in themes}
        rows = []
        for n, group in enumerate(targets):
            area = areas[n % len(areas)] if n % 2 else None
            rows.append(
                Contribution(
                    group=group,
                    text=f"Benchmark note {n}: blocked sites and old browsers slow us down",
                    kind=KINDS[n % len(KINDS)],
                    reach=REACHES[n % len(REACHES)],
                    area=area,
                    theme=themes_by_key[group.workshop_id, area.pk] if area else None,
                    entered_at=now - datetime.timedelta(minutes=n),
                    # Public pages show reviewed notes only: all but one in ten untriaged notes
                    # are reviewed, so the pages measured stay as full as before review came.
                    reviewed_at=None if n % 10 == 0 else now,
                )
            )
        self.create(Contribution, rows)

    def create_actions(self, workshops, organisations, areas, today):
        """The busy organisation owns exactly its 50 actions, the board pack's its 200, the busy
        workshop has its 50, and the rest are shared out evenly."""
        busy_workshop, other_workshops = workshops[0], workshops[1:]
        busy_organisation, board_organisation = organisations[0], organisations[1]
        other_organisations = organisations[2:]
        placements = [
            (busy_workshop, other_organisations[n % len(other_organisations)])
            for n in range(BUSY_WORKSHOP_ACTIONS)
        ]
        placements += [
            (other_workshops[n % len(other_workshops)], busy_organisation)
            for n in range(BUSY_ORGANISATION_ACTIONS)
        ]
        placements += [
            (other_workshops[n % len(other_workshops)], board_organisation)
            for n in range(BOARD_PACK_ORGANISATION_ACTIONS)
        ]
        remaining = self.size["actions"] - len(placements)
        placements += [
            (
                other_workshops[n % len(other_workshops)],
                other_organisations[(n + BUSY_WORKSHOP_ACTIONS) % len(other_organisations)],
            )
            for n in range(max(0, remaining))
        ]
        return self.create(
            ActionItem,
            [
                ActionItem(
                    workshop=workshop,
                    area=areas[n % len(areas)],
                    title=f"Benchmark action {n}",
                    description="Unblock social media sites for staff who need them.",
                    owner=owner,
                    due_date=today + datetime.timedelta(days=n % 120 - 30),
                    original_due_date=today + datetime.timedelta(days=n % 120 - 30),
                    status=STATUS_PATHS[n % len(STATUS_PATHS)][-1],
                )
                for n, (workshop, owner) in enumerate(placements)
            ],
        )

    def create_updates(self, actions, owners, organisations, now):
        owner_of = {
            organisation.pk: owner
            for organisation, owner in zip(organisations, owners, strict=True)
        }
        self.create(
            StatusUpdate,
            [
                StatusUpdate(
                    action=action,
                    author=owner_of[action.owner_id],
                    status=status,
                    note=f"Update {step} on benchmark action {n}",
                    created_at=now - datetime.timedelta(days=30 - 7 * step, minutes=n),
                )
                for n, action in enumerate(actions)
                for step, status in enumerate(STATUS_PATHS[n % len(STATUS_PATHS)])
            ],
        )
