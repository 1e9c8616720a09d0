"""The same capture form sent by several requests at the same moment stores its notes once."""

import uuid

import pytest

from accounts import roles
from tests.concurrency import at_once, needs_postgresql
from tests.conftest import client_for, restore_data_from_migrations
from tests.factories import FlipchartGroupFactory, UserFactory
from workshops.models import CaptureBatch, Contribution

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]

THREADS = 8


def test_one_key_sent_by_eight_requests_at_once_stores_one_set_of_notes():
    restore_data_from_migrations()
    facilitator = UserFactory(roles=[roles.FACILITATORS])
    group = FlipchartGroupFactory()
    group.facilitators.add(facilitator)
    clients = [client_for(facilitator) for _ in range(THREADS)]
    form = {"notes": "One\n+Two\n?Three", "kind": "comment", "key": str(uuid.uuid4())}

    responses = at_once(THREADS, lambda n: clients[n].post(group.get_absolute_url(), form))

    batches = CaptureBatch.objects.count()
    rows = Contribution.objects.filter(group=group).count()
    print(f"\nFIGURE: capture key race: {THREADS} threads, {batches} batches stored, {rows} rows")
    assert [response.status_code for response in responses] == [302] * THREADS
    assert len({response.url for response in responses}) == 1
    assert batches == 1
    assert rows == 3
