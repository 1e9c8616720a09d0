"""Backups restore into an empty PostgreSQL database with every row and uploaded file."""

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from feedback_site import backups
from tests.concurrency import needs_postgresql
from tests.conftest import restore_data_from_migrations
from tests.factories import ActionItemFactory, ContributionFactory


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = settings.MEDIA_ROOT / "flipchart-photos" / f"{uuid.uuid4().hex}.jpeg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 a flipchart photo")
    return settings.MEDIA_ROOT


@pytest.fixture
def empty_database():
    """A second, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row_and_file(
    media, empty_database, tmp_path, settings
):
    restore_data_from_migrations()
    ActionItemFactory.create_batch(3)
    ContributionFactory.create_batch(5)
    manifest = backups.backup_create(to=tmp_path / "backup")
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    report = backups.backup_restore(source=tmp_path / "backup", database_name=empty_database)

    print(
        f"\nFIGURE: restore: {report.tables} tables, {report.rows} rows, {report.files} files, "
        f"{len(report.mismatches)} mismatches"
    )
    assert report.mismatches == []
    assert manifest["tables"]["actions_actionitem"] == 3
    assert manifest["tables"]["workshops_contribution"] == 5
    assert report.files == 1
    assert (
        backups.row_counts({**connection.settings_dict, "NAME": empty_database})
        == (manifest["tables"])
    )


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_restore_with_a_changed_file_or_missing_rows_reports_each_mismatch(
    media, tmp_path, settings
):
    restore_data_from_migrations()
    manifest = backups.backup_create(to=tmp_path / "backup")
    manifest["tables"]["actions_actionitem"] += 1
    (photo,) = manifest["files"]
    (media / photo).write_bytes(b"not the photo")

    report = backups.restore_check(manifest, database=connection.settings_dict, media_root=media)

    assert report.mismatches == [
        "table actions_actionitem: 0 rows, expected 1",
        f"file {photo}: missing or changed",
    ]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_restoring_over_a_database_in_use_is_refused_without_force(media, tmp_path):
    restore_data_from_migrations()
    call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["files"]

    with pytest.raises(CommandError, match=r"already has \d+ tables\. Restore into an empty"):
        call_command("restore", str(tmp_path / "backup"))


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_backups_on_sqlite_are_refused_with_what_to_do_instead(tmp_path):
    with pytest.raises(CommandError, match="Backups need PostgreSQL"):
        call_command("backup", str(tmp_path / "backup"))
