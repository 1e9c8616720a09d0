import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from accounts import roles
from tests.conftest import client_for
from tests.factories import UserFactory
from workshops import photos
from workshops.models import FlipchartPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def image_bytes(image_format, size=(40, 30), **save_options):
    output = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(output, format=image_format, **save_options)
    return output.getvalue()


def upload(client, group, name, content, content_type="image/jpeg"):
    return client.post(
        reverse("workshops:group_photo_add", kwargs={"pk": group.pk}),
        {"photo": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.mark.parametrize(("image_format", "name"), [("JPEG", "sheet.jpg"), ("PNG", "sheet.png")])
def test_a_real_photo_is_stored_under_a_random_name(facilitator, group, image_format, name):
    client = client_for(facilitator)
    response = upload(client, group, name, image_bytes(image_format))

    assert response.status_code == 302
    photo = FlipchartPhoto.objects.get()
    assert (photo.width, photo.height) == (40, 30)
    assert photo.image_format == image_format.lower()
    assert "sheet" not in photo.image.name
    assert photo.image.name.startswith("flipchart-photos/")
    assert photo.uploaded_by == facilitator
    page = client.get(response.url).text
    assert "Photo uploaded" in page
    assert photo.get_absolute_url() in page


def test_where_a_photo_was_taken_is_not_kept(facilitator, group):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    upload(client_for(facilitator), group, "gps.jpg", image_bytes("JPEG", exif=exif))
    with FlipchartPhoto.objects.get().image.open("rb") as stored:
        assert not Image.open(stored).getexif()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "notes.jpg",
            b"Just some text pretending to be a photo",
            "must be a JPG, PNG or WebP photo",
        ),
        (
            "page.png",
            b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
            "must be a JPG, PNG or WebP photo",
        ),
        ("empty.jpg", b"", "The selected file is empty"),
        ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "must be a JPG, PNG or WebP photo"),
    ],
)
def test_files_that_are_not_photos_are_refused(facilitator, group, name, content, error):
    response = upload(client_for(facilitator), group, name, content)
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert error in response.text
    assert '<a href="#id_photo">' in response.text
    assert not FlipchartPhoto.objects.exists()


def test_an_oversized_photo_is_refused(facilitator, group, monkeypatch):
    monkeypatch.setattr(photos, "MAX_UPLOAD_BYTES", 1024 * 1024)
    noise = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
    output = io.BytesIO()
    noise.save(output, format="PNG")
    assert output.tell() > 1024 * 1024
    response = upload(client_for(facilitator), group, "big.png", output.getvalue())
    assert "must be smaller than 1 MB" in response.text
    assert not FlipchartPhoto.objects.exists()


def test_a_photo_with_too_many_pixels_is_refused(facilitator, group, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 100)
    response = upload(client_for(facilitator), group, "wide.png", image_bytes("PNG", size=(20, 20)))
    assert "too many pixels" in response.text
    assert not FlipchartPhoto.objects.exists()


def test_only_people_who_may_see_the_group_can_fetch_its_photos(
    client, facilitator, organiser, owner_a, group
):
    upload(client_for(facilitator), group, "sheet.jpg", image_bytes("JPEG"))
    url = FlipchartPhoto.objects.get().get_absolute_url()

    for allowed in (facilitator, organiser):
        response = client_for(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")

    other = UserFactory(email="other@example.gov.uk", roles=[roles.FACILITATORS])
    for refused in (other, owner_a):
        assert client_for(refused).get(url).status_code == 404
    assert client.get(url).url.startswith(reverse("login"))


def test_other_facilitators_cannot_add_photos_to_a_group(group):
    other = UserFactory(email="other@example.gov.uk", roles=[roles.FACILITATORS])
    assert upload(client_for(other), group, "sheet.jpg", image_bytes("JPEG")).status_code == 404
    assert not FlipchartPhoto.objects.exists()


def stored_photo_bytes() -> bytes:
    with FlipchartPhoto.objects.get().image.open("rb") as stored:
        return stored.read()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SECRET-CAMERA"
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif


def jpeg_with_every_kind_of_metadata() -> bytes:
    return image_bytes(
        "JPEG", exif=exif_with_gps(), comment=b"SECRET-COMMENT", icc_profile=b"SECRET-ICC"
    )


def png_with_text_chunks() -> bytes:
    info = PngInfo()
    info.add_text("Comment", "SECRET-COMMENT")
    info.add_itxt("GPS", "SECRET-GPS")
    return image_bytes("PNG", pnginfo=info)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("gps.jpg", jpeg_with_every_kind_of_metadata()),
        ("text.png", png_with_text_chunks()),
        ("exif.webp", image_bytes("WEBP", exif=exif_with_gps(), xmp=b"SECRET-XMP")),
    ],
)
def test_no_metadata_survives_re_encoding(facilitator, group, name, content):
    assert b"SECRET" in content

    upload(client_for(facilitator), group, name, content)

    stored = stored_photo_bytes()
    assert b"SECRET" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert not {"comment", "exif", "xmp", "icc_profile", "Comment", "GPS"} & set(image.info)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(facilitator, group):
    bomb = image_bytes("PNG", size=(8000, 8000), optimize=False)
    assert len(bomb) < 1024 * 1024 < 8000 * 8000

    response = upload(client_for(facilitator), group, "bomb.png", bomb, "image/png")

    assert response.status_code == 200
    assert "too many pixels" in response.text
    assert not FlipchartPhoto.objects.exists()


def test_a_photo_is_served_inline_under_a_server_name_and_never_sniffed(facilitator, group):
    upload(client_for(facilitator), group, '"><script>x</script>.jpg', image_bytes("JPEG"))
    photo = FlipchartPhoto.objects.get()

    response = client_for(facilitator).get(photo.get_absolute_url())

    disposition = f'inline; filename="flipchart-photo-{photo.pk}.jpeg"'
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
