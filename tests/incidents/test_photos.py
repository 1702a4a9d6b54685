"""Photos at intake: real images only, size-capped, re-encoded; a refusal leaves no file behind."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageFile

from incidents import services
from incidents.models import Incident, Photo
from incidents.photos import MAX_EDGE_PX, PhotoError, prepare_photo
from incidents.services import IncidentInputError, PhotoInput, take_in
from tests.factories import image_bytes, intake_request, photo, stored_files


def _refused(people, photos) -> IncidentInputError:
    with pytest.raises(IncidentInputError) as error:
        take_in(request=intake_request(photos=photos), reporter=people["leader_a1"])
    return error.value


def _nothing_stored(settings) -> bool:
    return (
        not Incident.objects.exists()
        and not Photo.objects.exists()
        and stored_files(settings.MEDIA_ROOT) == []
    )


def test_oversized_photo_is_refused_and_nothing_stored(people, settings):
    settings.PHOTO_MAX_BYTES = 500

    error = _refused(people, [photo("PNG", size=(200, 200))])

    assert "limit" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


def test_oversized_photo_without_a_declared_size_is_refused(people, settings):
    settings.PHOTO_MAX_BYTES = 500
    content = image_bytes("PNG", (200, 200))

    error = _refused(people, [PhotoInput(file=io.BytesIO(content), name="big.png")])

    assert "larger than" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


def test_text_named_jpg_is_refused_and_nothing_stored(people, settings):
    fake = PhotoInput(file=io.BytesIO(b"<?php echo 'hi'; ?>\n" * 20), name="evil.jpg", size=420)

    error = _refused(people, [photo(), fake])

    assert "evil.jpg is not an image" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


def test_more_than_six_photos_are_refused_and_nothing_stored(people, settings):
    error = _refused(people, [photo() for _ in range(7)])

    assert "At most 6 photos" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


def test_gif_is_refused_by_type(people, settings):
    error = _refused(people, [photo("GIF")])

    assert "GIF" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


def test_truncated_jpeg_is_refused(people, settings):
    content = image_bytes("JPEG", (200, 200))
    broken = PhotoInput(file=io.BytesIO(content[: len(content) // 2]), name="cut.jpg")

    error = _refused(people, [broken])

    assert "cut.jpg" in " ".join(error.errors["photos"])
    assert _nothing_stored(settings)


@pytest.mark.django_db
def test_truncated_jpeg_is_refused_even_when_the_process_tolerates_truncated_images(monkeypatch):
    # What importing WeasyPrint (the briefings' PDFs) does to Pillow.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    content = image_bytes("JPEG", (200, 200))

    with pytest.raises(PhotoError):
        prepare_photo(io.BytesIO(content[: len(content) // 2]), name="cut.jpg")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for whoever set it


def test_six_photos_are_accepted(people):
    result = take_in(
        request=intake_request(photos=[photo() for _ in range(6)]), reporter=people["leader_a1"]
    )

    assert result.incident.photos.count() == 6


def test_failure_after_photos_were_written_removes_the_files(people, settings, monkeypatch):
    def broken_append(*args, **kwargs):
        raise RuntimeError("the trail is down")

    monkeypatch.setattr(services.intake, "_append", broken_append)

    with pytest.raises(RuntimeError):
        take_in(request=intake_request(photos=[photo(), photo()]), reporter=people["leader_a1"])

    assert _nothing_stored(settings)


def test_failure_saving_a_photo_row_removes_its_file(people, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Photo, "save", broken_save)

    with pytest.raises(RuntimeError):
        take_in(request=intake_request(photos=[photo()]), reporter=people["leader_a1"])

    assert _nothing_stored(settings)


def test_large_photo_is_resized_to_the_longest_edge():
    content = image_bytes("PNG", (MAX_EDGE_PX * 2, 100))

    prepared = prepare_photo(io.BytesIO(content), name="wide.png")

    assert (prepared.width, prepared.height) == (MAX_EDGE_PX, 50)
    assert Image.open(io.BytesIO(prepared.content)).format == "JPEG"


def test_exif_metadata_is_dropped():
    image = Image.new("RGB", (20, 20), "red")
    exif = Image.Exif()
    exif[0x0110] = "Secret Phone Model"  # EXIF "Model"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)

    prepared = prepare_photo(io.BytesIO(out.getvalue()))

    assert b"Secret Phone Model" not in prepared.content
    assert not Image.open(io.BytesIO(prepared.content)).getexif()


def test_photo_error_names_the_file():
    with pytest.raises(PhotoError, match=r"notes\.jpg"):
        prepare_photo(io.BytesIO(b"just text"), name="notes.jpg")
