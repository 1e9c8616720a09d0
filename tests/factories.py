import datetime

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from actions.models import ActionItem, Organisation
from workshops.models import Area, Contribution, FlipchartGroup, Theme, User, Workshop


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    title = factory.Sequence(lambda n: f"Workshop {n}")
    slug = factory.Sequence(lambda n: f"workshop-{n}")
    event = "Civil Service Live"
    date = datetime.date(2012, 7, 4)
    start_time = datetime.time(14, 0)
    expected_attendance = 40
    purpose = "Find out what difference the guidelines have made."
    is_published = True


class FlipchartGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FlipchartGroup

    workshop = factory.SubFactory(WorkshopFactory)
    subject = factory.Sequence(lambda n: f"Subject {n}")
    facilitator_line = "Head of Digital, BIS"


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    workshop = factory.SubFactory(WorkshopFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    group = factory.SubFactory(FlipchartGroupFactory)
    text = factory.Sequence(lambda n: f"Note number {n}")
    # Reviewed, as a note on a public page has been; `ContributionFactory(reviewed_at=None)` is
    # one still waiting for a triager.
    reviewed_at = factory.LazyFunction(timezone.now)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    workshop = factory.SubFactory(WorkshopFactory)
    area = factory.LazyFunction(lambda: Area.objects.get(slug="infrastructure"))
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SubFactory(OrganisationFactory)
    due_date = datetime.date(2012, 10, 4)
    # As action_create does: the date first promised is the one the action starts with.
    original_due_date = factory.SelfAttribute("due_date")
