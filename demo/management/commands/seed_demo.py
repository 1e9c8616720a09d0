"""Load the demo workshop from the GDS blog post about Civil Service Live, 4 July 2012."""

import base64
import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from actions.models import ActionItem, Organisation, Status
from actions.services import (
    action_accept,
    action_cascade,
    action_create,
    action_post_update,
    due_date_move,
)
from progress.services import report_save
from workshops.models import (
    Area,
    Contribution,
    FlipchartGroup,
    Reach,
    RecurringTheme,
    Theme,
    Workshop,
)
from workshops.models import ContributionKind as Kind
from workshops.services import theme_link_recurring

DEMO_SLUG = "social-media-guidelines-so-what"
DEMO_PASSWORD = "demo-workshop-2012"  # local use only: the command refuses to run without DEBUG
# The organiser's authenticator app key and backup codes, published for the same reason.
DEMO_TOTP_KEY = "DEMOWORKSHOPFEEDBACKORGANISER234"
DEMO_BACKUP_CODES = ["demo-backup-1", "demo-backup-2", "demo-backup-3"]

DEMO_DEPUTY_EMAIL = "deputy@example.gov.uk"
# Who acts for the ICT Strategy Board, so its actions are accepted before work on them is
# reported: an action is never "Done" and "Awaiting acceptance" at once.
DEMO_BOARD_PEOPLE = [
    ("ict-board@example.gov.uk", "Demo Board Secretary"),
    ("ict-board-deputy@example.gov.uk", "Demo Board Deputy"),
]
# Departments from the blog's workshop, for the Digital Leaders network to cascade actions to.
DEMO_DEPARTMENTS = [
    ("Cabinet Office", "cabinet-office"),
    ("Department for Business, Innovation and Skills", "department-for-business-innovation-skills"),
    ("Department for Education", "department-for-education"),
    ("Foreign and Commonwealth Office", "foreign-commonwealth-office"),
]
# The demo's managers action goes to the first three; the first reports back.
CASCADED_TO = DEMO_DEPARTMENTS[:3]
DEMO_DEPARTMENT_PEOPLE = [
    ("cabinet-office-lead@example.gov.uk", "Demo Cabinet Office Lead"),
    ("cabinet-office-deputy@example.gov.uk", "Demo Cabinet Office Deputy"),
]
DEMO_LOGINS = [
    ("organiser@example.gov.uk", "Demo Organiser", "Digital engagement, GDS", roles.ORGANISERS),
    ("facilitator@example.gov.uk", "Demo Facilitator", "Social media manager", roles.FACILITATORS),
    ("owner@example.gov.uk", "Demo Owner", "Digital Leaders network member", roles.OWNERS),
]

# The demo workshop asks for review before notes are public. Notes with an area were reviewed
# when they were sorted, the rest published as they are, except these: three still waiting for a
# triager, and one hidden from the public for the reason organisers see.
WAITING_FOR_REVIEW = {
    "Pressure of additional channels on small teams",
    "Customer expectations keep rising",
    "Yammer is the main tool we talk about",
}
HIDDEN = {
    "Ask Sam Patel in our press office on 07700 900461 how she got Yammer approved": (
        Contribution.HiddenReason.PERSONAL_DATA
    ),
}

# (subject, prompt, facilitator shown as, notes); a note is (text, kind, reach, area slug, theme)
GROUPS = [
    (
        "Barriers to using social media",
        "What stops you using social media in your job?",
        "Alex Schillemore, Social Media Manager, Foreign and Commonwealth Office",
        [
            (
                "Social media sites are blocked on our work computers",
                Kind.NEGATIVE,
                Reach.ALMOST_EVERYONE,
                "infrastructure",
                "Blocked access to social media",
            ),
            (
                "Still stuck on Internet Explorer 6",
                Kind.NEGATIVE,
                Reach.MOST,
                "infrastructure",
                "Old browsers",
            ),
            (
                "We make YouTube videos for work that we can only watch at home",
                Kind.NEGATIVE,
                Reach.SOME,
                "infrastructure",
                "Blocked access to social media",
            ),
            (
                "Senior managers need to be seen using it to lead the way",
                Kind.IDEA,
                Reach.MOST,
                "cultural-change",
                "Managers leading by example",
            ),
            (
                "Middle managers are wary of it",
                Kind.COMMENT,
                Reach.SOME,
                "cultural-change",
                "Managers leading by example",
            ),
            (
                "Not sure if we have permission to use it",
                Kind.QUESTION,
                Reach.MOST,
                "empowerment",
                "Permission and guidance",
            ),
            (
                "Don't feel trusted to speak for the department",
                Kind.NEGATIVE,
                Reach.SOME,
                "empowerment",
                "Permission and guidance",
            ),
            (
                "Guidance focuses on what is not allowed",
                Kind.NEGATIVE,
                Reach.SOME,
                "empowerment",
                "Permission and guidance",
            ),
            ("Why should we use it, and when?", Kind.QUESTION, Reach.SOME, None, None),
            ("Advantages are not widely understood", Kind.COMMENT, Reach.SOME, None, None),
        ],
    ),
    (
        "Positives and negatives in your department",
        "What is working, and what is not?",
        "Tim Lloyd, Head of Digital, Business, Innovation and Skills",
        [
            (
                "Not enough resource to run more channels",
                Kind.NEGATIVE,
                Reach.MOST,
                "cultural-change",
                None,
            ),
            (
                "Pressure of additional channels on small teams",
                Kind.NEGATIVE,
                Reach.SOME,
                None,
                None,
            ),
            ("Lack of control over what is said", Kind.NEGATIVE, Reach.SOME, None, None),
            (
                "Staff responding without the necessary knowledge",
                Kind.NEGATIVE,
                Reach.ONE,
                None,
                None,
            ),
            ("Seen to be in the conversation", Kind.POSITIVE, Reach.MOST, None, None),
            (
                "Shows an up to date Civil Service, like other employers",
                Kind.POSITIVE,
                Reach.SOME,
                None,
                None,
            ),
            ("Speed of communication", Kind.POSITIVE, Reach.MOST, None, None),
            ("Can bypass traditional media", Kind.POSITIVE, Reach.SOME, None, None),
            (
                "Twitter Q&A with the Head of the Civil Service went well",
                Kind.POSITIVE,
                Reach.SOME,
                None,
                None,
            ),
        ],
    ),
    (
        "Implementing service delivery",
        "How could social media help deliver services?",
        "Lizzie Bell, Head of Digital Engagement and Publishing, Department for Education",
        [
            (
                "Mostly using social media to inform, not to deliver",
                Kind.COMMENT,
                Reach.MOST,
                None,
                None,
            ),
            ("Specialist YouTube videos got the most views", Kind.POSITIVE, Reach.SOME, None, None),
            (
                "Guidance is too high level, need specific guidance",
                Kind.NEGATIVE,
                Reach.MOST,
                "empowerment",
                "Permission and guidance",
            ),
            (
                "Too much time spent finding reasons not to do it",
                Kind.NEGATIVE,
                Reach.SOME,
                "cultural-change",
                "Managers leading by example",
            ),
            ("Customer expectations keep rising", Kind.COMMENT, Reach.SOME, None, None),
            (
                "GDS should publicise good examples and case studies",
                Kind.IDEA,
                Reach.ALMOST_EVERYONE,
                "empowerment",
                "Share good examples",
            ),
            (
                "Keep the conversation going after today",
                Kind.IDEA,
                Reach.MOST,
                "empowerment",
                "Share good examples",
            ),
            (
                "Barriers came up again before we got to service delivery",
                Kind.COMMENT,
                Reach.MOST,
                None,
                None,
            ),
        ],
    ),
    (
        "Skills and tools",
        "What skills and tools do you have, and which do you need?",
        "Louise Kidney, Digital Engagement Lead, Government Digital Service (Cabinet Office)",
        [
            (
                "Half of us use social media at home, only 1 in 10 at work",
                Kind.COMMENT,
                Reach.MOST,
                "training",
                "Digital champions",
            ),
            (
                "I teach over-70s to use Skype but have never used it at work",
                Kind.COMMENT,
                Reach.ONE,
                None,
                None,
            ),
            ("Self-taught, asked my grandchildren", Kind.COMMENT, Reach.ONE, "training", None),
            (
                "Need central training plus digital champions for 1-2-1 help",
                Kind.IDEA,
                Reach.ALMOST_EVERYONE,
                "training",
                "Digital champions",
            ),
            (
                "Some departments already have digital champions",
                Kind.POSITIVE,
                Reach.SOME,
                "training",
                "Digital champions",
            ),
            ("Yammer is the main tool we talk about", Kind.COMMENT, Reach.MOST, None, None),
            (
                "Ask Sam Patel in our press office on 07700 900461 how she got Yammer approved",
                Kind.IDEA,
                Reach.ONE,
                None,
                None,
            ),
            (
                "Most of us have no access even to the basic tools",
                Kind.NEGATIVE,
                Reach.MOST,
                "infrastructure",
                "Blocked access to social media",
            ),
        ],
    ),
]

# A smaller workshop a year before the demo's, that said two of the same things: each is a
# recurring theme joining the two workshops' themes, with what was done each time.
EARLIER_SLUG = "social-media-at-work-a-year-before"
EARLIER_NOTES = [
    # (text, kind, area slug, theme)
    (
        "Twitter and YouTube are blocked on our network",
        Kind.NEGATIVE,
        "infrastructure",
        "Sites blocked",
    ),
    (
        "IT block Facebook so we can't see what citizens say",
        Kind.NEGATIVE,
        "infrastructure",
        "Sites blocked",
    ),
    (
        "Guidance only lists what we must not do",
        Kind.NEGATIVE,
        "empowerment",
        "Rules, not permission",
    ),
    ("Nobody knows who signs off a tweet", Kind.QUESTION, "empowerment", "Rules, not permission"),
    ("Our press office runs a good account", Kind.POSITIVE, "cultural-change", None),
]
# (name, slug, area slug, summary, the earlier workshop's theme, the demo workshop's theme)
RECURRING_THEMES = [
    (
        "Blocked access to tools",
        "blocked-access-to-tools",
        "infrastructure",
        "Social media and video sites that staff need for their work are blocked.",
        "Sites blocked",
        "Blocked access to social media",
    ),
    (
        "Guidance says only what is not allowed",
        "guidance-says-only-what-is-not-allowed",
        "empowerment",
        "People do not know what they may do, or who says yes.",
        "Rules, not permission",
        "Permission and guidance",
    ),
]

THEME_SUMMARIES = {
    "Blocked access to social media": "Almost everyone said social media is blocked at work.",
    "Old browsers": "Internet Explorer 6 still in use, so sites do not work.",
    "Managers leading by example": "Senior and middle managers need to be seen using it.",
    "Permission and guidance": "People are unsure what they may do; guidance says what not to do.",
    "Share good examples": "Publicise departments that use social media well.",
    "Digital champions": "Central training combined with digital champions for 1-2-1 help.",
}


class Command(BaseCommand):
    help = "Load the demo workshop, its notes and actions, and one demo login per role."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates logins with a published password, so it only runs with DEBUG on."
            )
        with transaction.atomic():
            users = self.demo_users()
            if Workshop.objects.filter(slug=DEMO_SLUG).exists():
                self.stdout.write("The demo workshop is already loaded; nothing changed.")
            else:
                demo = self.load_workshop(users, today=timezone.localdate())
                earlier = self.load_earlier_workshop(users, today=timezone.localdate())
                self.link_recurring_themes(earlier, demo, users[roles.ORGANISERS])
                self.stdout.write(self.style.SUCCESS("Loaded the demo workshop."))
        self.stdout.write("\nDemo logins (local use only):")
        for email, _, _, role in DEMO_LOGINS:
            self.stdout.write(f"  {role[:-1].lower():<12} {email}  password: {DEMO_PASSWORD}")
        self.stdout.write(
            f"The organiser's second factor: add the key {DEMO_TOTP_KEY} to an authenticator "
            f"app, or use a backup code: {', '.join(DEMO_BACKUP_CODES)}"
        )

    def demo_users(self):
        User = get_user_model()
        users = {}
        for email, full_name, job_title, role in DEMO_LOGINS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": full_name,
                    "job_title": job_title,
                    "is_staff": role == roles.ORGANISERS,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=role))
            users[role] = user
        deputy, created = User.objects.get_or_create(
            email=DEMO_DEPUTY_EMAIL,
            defaults={"full_name": "Demo Deputy", "job_title": "Digital Leaders network member"},
        )
        if created:
            # The deputy never signs in with a password: an emailed link is enough.
            deputy.set_unusable_password()
            deputy.save(update_fields=["password"])
            deputy.groups.add(Group.objects.get(name=roles.OWNERS))
        users["deputy"] = deputy
        board = Organisation.objects.get(slug="ict-strategy-board")
        for key, (email, full_name) in zip(
            ("board", "board_deputy"), DEMO_BOARD_PEOPLE, strict=True
        ):
            users[key] = self.owner_without_password(email, full_name, "ICT Strategy Board member")
            board.members.add(users[key])
        for name, slug in DEMO_DEPARTMENTS:
            Organisation.objects.get_or_create(
                slug=slug, defaults={"name": name, "kind": Organisation.Kind.DEPARTMENT}
            )
        reporting = Organisation.objects.get(slug=CASCADED_TO[0][1])
        for key, (email, full_name) in zip(
            ("department", "department_deputy"), DEMO_DEPARTMENT_PEOPLE, strict=True
        ):
            users[key] = self.owner_without_password(email, full_name, reporting.name)
            reporting.members.add(users[key])
        self.demo_second_factor(users[roles.ORGANISERS])
        owner_org = Organisation.objects.get(slug="digital-leaders-network")
        owner_org.members.add(users[roles.OWNERS], deputy)
        return users

    def owner_without_password(self, email, full_name, job_title):
        """An owner who would sign in by an emailed link; the demo never signs in as them."""
        user, created = get_user_model().objects.get_or_create(
            email=email, defaults={"full_name": full_name, "job_title": job_title}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=roles.OWNERS))
        return user

    def demo_second_factor(self, organiser):
        TOTPDevice.objects.get_or_create(
            user=organiser,
            name="Demo authenticator app",
            defaults={"key": base64.b32decode(DEMO_TOTP_KEY).hex(), "confirmed": True},
        )
        backup, created = StaticDevice.objects.get_or_create(user=organiser, name="Backup codes")
        if created:
            StaticToken.objects.bulk_create(
                StaticToken(device=backup, token=code) for code in DEMO_BACKUP_CODES
            )

    def load_workshop(self, users, *, today: datetime.date):
        held_on = today - datetime.timedelta(weeks=6)
        starts_at = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(14, 0)))
        workshop = Workshop.objects.create(
            slug=DEMO_SLUG,
            title="Social media guidelines: so what?",
            event="Civil Service Live",
            date=held_on,
            start_time=starts_at.time(),
            duration_minutes=30,
            location="Workshop room 2",
            expected_attendance=40,
            actual_attendance=40,
            purpose=(
                "Find out what difference the social media guidelines have made since they were "
                "published, and gather feedback that Professions, Civil Service Learning and GDS "
                "can act on."
            ),
            description=(
                "The real workshop was held on 4 July 2012 at Civil Service Live. In this demo its "
                "dates are moved to six weeks before the demo was loaded, so that due dates and "
                "clocks are live."
            ),
            is_published=True,
        )
        areas = {area.slug: area for area in Area.objects.all()}
        themes = {}
        notes = []
        for order, (subject, prompt, facilitator_line, group_notes) in enumerate(GROUPS, 1):
            group = FlipchartGroup.objects.create(
                workshop=workshop,
                subject=subject,
                prompt=prompt,
                facilitator_line=facilitator_line,
                order=order,
            )
            group.facilitators.add(users[roles.FACILITATORS])
            for minute, (text, kind, reach, area_slug, theme_name) in enumerate(group_notes):
                area = areas.get(area_slug)
                if theme_name and theme_name not in themes:
                    themes[theme_name] = Theme.objects.create(
                        workshop=workshop,
                        name=theme_name,
                        summary=THEME_SUMMARIES[theme_name],
                        area=area,
                    )
                entered_at = starts_at + datetime.timedelta(
                    minutes=5 + order * 5, seconds=minute * 25
                )
                notes.append(
                    Contribution(
                        group=group,
                        text=text,
                        kind=kind,
                        reach=reach,
                        area=area,
                        theme=themes.get(theme_name),
                        entered_by=users[roles.FACILITATORS],
                        entered_at=entered_at,
                        triaged_by=users[roles.ORGANISERS] if area else None,
                        triaged_at=entered_at + datetime.timedelta(days=2) if area else None,
                        hidden_from_public=text in HIDDEN,
                        hidden_reason=HIDDEN.get(text, Contribution.HiddenReason.NONE),
                        **(
                            {}
                            if text in WAITING_FOR_REVIEW
                            else {
                                "reviewed_by": users[roles.ORGANISERS],
                                "reviewed_at": entered_at + datetime.timedelta(days=1),
                            }
                        ),
                    )
                )
        Contribution.objects.bulk_create(notes)
        self.load_actions(workshop, themes, users, today=today, held_at=starts_at)
        # A draft report back, due 3 months after the workshop, for the organiser to finish.
        report_save(
            workshop=workshop,
            by=users[roles.ORGANISERS],
            introduction=(
                "In July we asked 40 colleagues at Civil Service Live what difference the social "
                "media guidelines have made. This is what we heard, what has been done since and "
                "what happens next."
            ),
            next_steps=(
                "The Digital Leaders network will take the cultural change issues back to each "
                "department, and we will blog again on the outcomes."
            ),
            moved_due_date=None,
        )
        return workshop

    def load_earlier_workshop(self, users, *, today: datetime.date):
        """A year before the demo's workshop: a few notes, every one reviewed, and an action
        that was not done."""
        organiser = users[roles.ORGANISERS]
        held_on = today - datetime.timedelta(weeks=58)
        starts_at = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(11, 0)))
        workshop = Workshop.objects.create(
            slug=EARLIER_SLUG,
            title="Social media at work: where are we?",
            event="Digital Leaders meeting",
            date=held_on,
            start_time=starts_at.time(),
            location="Meeting room 4",
            actual_attendance=12,
            purpose="A first look at what stops civil servants using social media at work.",
            is_published=True,
        )
        group = FlipchartGroup.objects.create(
            workshop=workshop, subject="What gets in the way?", order=1
        )
        areas = {area.slug: area for area in Area.objects.all()}
        themes = {}
        for minute, (text, kind, area_slug, theme_name) in enumerate(EARLIER_NOTES):
            area = areas[area_slug]
            if theme_name and theme_name not in themes:
                themes[theme_name] = Theme.objects.create(
                    workshop=workshop, name=theme_name, area=area
                )
            entered_at = starts_at + datetime.timedelta(minutes=10 + minute)
            Contribution.objects.create(
                group=group,
                text=text,
                kind=kind,
                area=area,
                theme=themes.get(theme_name),
                entered_by=organiser,
                entered_at=entered_at,
                triaged_by=organiser,
                triaged_at=entered_at + datetime.timedelta(days=1),
                reviewed_by=organiser,
                reviewed_at=entered_at + datetime.timedelta(days=1),
            )
        blocked = themes["Sites blocked"]
        action = action_create(
            workshop=workshop,
            area=blocked.area,
            title="Ask departments' IT teams to review their lists of blocked sites",
            theme=blocked,
            contributions=blocked.contributions.all(),
            by=organiser,
            due_date=held_on + datetime.timedelta(weeks=12),
        )
        board = users["board"]
        action_accept(action=action, by=board, accountable=board, deputy=users["board_deputy"])
        ActionItem.objects.filter(pk=action.pk).update(
            assigned_at=starts_at + datetime.timedelta(days=2),
            accepted_at=starts_at + datetime.timedelta(days=3),
        )
        action_post_update(
            action=action,
            by=organiser,
            status=Status.WONT_DO,
            note="Left to each department; few changed their lists.",
            at=starts_at + datetime.timedelta(weeks=10),
        )
        return workshop

    def link_recurring_themes(self, earlier, demo, organiser):
        areas = {area.slug: area for area in Area.objects.all()}
        for name, slug, area_slug, summary, earlier_theme, demo_theme in RECURRING_THEMES:
            recurring = RecurringTheme.objects.create(
                name=name, slug=slug, area=areas[area_slug], summary=summary
            )
            for workshop, theme_name in ((earlier, earlier_theme), (demo, demo_theme)):
                theme = Theme.objects.get(workshop=workshop, name=theme_name)
                theme_link_recurring(theme=theme, recurring=recurring, by=organiser)

    def load_actions(self, workshop, themes, users, *, today, held_at):
        organiser, owner = users[roles.ORGANISERS], users[roles.OWNERS]

        def theme_action(theme_name, title, **kwargs):
            theme = themes[theme_name]
            return action_create(
                workshop=workshop,
                area=theme.area,
                title=title,
                theme=theme,
                contributions=theme.contributions.all(),
                by=organiser,
                **kwargs,
            )

        def days_after_workshop(days):
            return held_at + datetime.timedelta(days=days, hours=3)

        browsers = theme_action(
            "Old browsers",
            "Replace Internet Explorer 6 on staff computers",
            description="Move remaining users to a supported browser.",
        )
        board, board_deputy = users["board"], users["board_deputy"]
        action_accept(action=browsers, by=board, accountable=board, deputy=board_deputy)
        action_post_update(
            action=browsers,
            by=organiser,
            status=Status.IN_PROGRESS,
            note="Upgrade plan agreed with departments.",
            at=days_after_workshop(9),
        )
        action_post_update(
            action=browsers,
            by=organiser,
            status=Status.DONE,
            note="All departments now run a supported browser.",
            at=days_after_workshop(35),
        )

        access = theme_action(
            "Blocked access to social media",
            "Open access to social media sites for staff who need it",
            description="Respond to the ICT Strategy Board paper on overcoming barriers.",
            due_date=today + datetime.timedelta(days=10),
        )
        action_accept(action=access, by=board, accountable=board, deputy=board_deputy)
        action_post_update(
            action=access,
            by=organiser,
            status=Status.IN_PROGRESS,
            note="Seven departments have unblocked YouTube and Twitter.",
            at=days_after_workshop(20),
        )

        managers = theme_action(
            "Managers leading by example",
            "Senior and middle managers to use social media visibly",
            description="Digital Leaders to take back to each department and cascade down.",
            due_date=today - datetime.timedelta(days=5),
        )
        action_accept(action=managers, by=owner, accountable=owner, deputy=users["deputy"])
        guidance = theme_action(
            "Permission and guidance",
            "Say in each department who may post and who signs off",
            description="Digital Leaders to agree a short statement of what staff may do.",
            owner=managers.owner,
        )
        action_accept(action=guidance, by=owner, accountable=owner, deputy=users["deputy"])
        # Back-date the demo's history: assigned two days after the workshop, accepted three later.
        ActionItem.objects.filter(workshop=workshop).update(assigned_at=days_after_workshop(2))
        ActionItem.objects.filter(accepted_at__isnull=False).filter(workshop=workshop).update(
            accepted_at=days_after_workshop(5)
        )
        action_post_update(
            action=managers,
            by=owner,
            status=Status.IN_PROGRESS,
            note="Raised at the Digital Leaders meeting; departments asked to report back.",
            at=days_after_workshop(14),
        )
        copies = action_cascade(
            action=managers,
            owners=Organisation.objects.filter(slug__in=[slug for _, slug in CASCADED_TO]),
            by=owner,
        )
        reporting = next(copy for copy in copies if copy.owner.slug == CASCADED_TO[0][1])
        lead = users["department"]
        action_accept(
            action=reporting, by=lead, accountable=lead, deputy=users["department_deputy"]
        )
        ActionItem.objects.filter(parent=managers).update(assigned_at=days_after_workshop(15))
        ActionItem.objects.filter(pk=reporting.pk).update(accepted_at=days_after_workshop(20))
        action_post_update(
            action=reporting,
            by=lead,
            status=Status.IN_PROGRESS,
            note="The permanent secretary now blogs weekly; directors are asked to follow.",
            at=days_after_workshop(30),
        )
        due_date_move(
            action=guidance,
            by=organiser,
            new_date=guidance.due_date + datetime.timedelta(weeks=4),
            reason="Waiting for the revised social media guidelines, due out next month.",
        )

        theme_action(
            "Digital champions",
            "Set up a digital champions network for 1-2-1 help",
            description="Combine central training with champions in each department.",
        )
