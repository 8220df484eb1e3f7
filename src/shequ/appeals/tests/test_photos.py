"""Photo checks (size, count, really an image) and serving them only through
permission-checked views."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.appeals.models import Appeal, AppealPhoto
from shequ.appeals.tests.conftest import image_bytes
from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.errors import ValidationError
from shequ.core.photos import MAX_BYTES


def _upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_photos_are_stored_by_hash(tree, folks, settings):
    jpeg, png = image_bytes("JPEG"), image_bytes("PNG", color="blue")
    appeal = raise_appeal(
        folks.resident_actor, tree.community, photos=[_upload("a.jpg", jpeg), _upload("b.png", png)]
    )
    rows = list(AppealPhoto.objects.filter(appeal=appeal).order_by("id"))
    assert [(p.content_type, p.size) for p in rows] == [
        ("image/jpeg", len(jpeg)),
        ("image/png", len(png)),
    ]
    assert rows[0].file.startswith("appeals/") and rows[0].file.endswith(".jpg")
    assert (settings.MEDIA_ROOT / rows[0].file).read_bytes() == jpeg


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([_upload("x.jpg", b"not an image at all")], "不是有效的图片"),
        ([_upload("x.gif", b"GIF89a" + b"\x00" * 20, "image/gif")], "不是有效的图片"),
        ([_upload("big.jpg", b"\xff" * (MAX_BYTES + 1))], "超过5MB"),
        ([_upload(f"{i}.jpg", image_bytes()) for i in range(5)], "最多上传4张照片"),
    ],
)
def test_bad_photos_are_refused_and_nothing_written(tree, folks, settings, photos, message):
    with pytest.raises(ValidationError, match=message):
        raise_appeal(folks.resident_actor, tree.community, photos=photos)
    assert Appeal.objects.count() == 0
    assert not (settings.MEDIA_ROOT / "appeals").exists()


def test_a_real_gif_is_refused_by_format(tree, folks):
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    with pytest.raises(ValidationError, match="格式不支持"):
        raise_appeal(folks.resident_actor, tree.community, photos=[out.getvalue()])


def test_photo_served_only_within_scope(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community, photos=[image_bytes("WEBP")])
    photo = AppealPhoto.objects.get(appeal=appeal)
    url = reverse("appeals:photo", kwargs={"photo_id": photo.pk})
    client.force_login(people.worker)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == image_bytes("WEBP")
    client.force_login(people.other_worker)
    assert client.get(url).status_code == 404
    client.force_login(people.resident)
    assert client.get(url).status_code == 403  # staff view; residents use their own
    mine = reverse("appeals:my_photo", kwargs={"photo_id": photo.pk})
    assert client.get(mine).status_code == 200
    client.force_login(folks.neighbour_user)
    assert client.get(mine).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_photo_page_upload_refuses_a_non_image(client, tree, people, folks):
    client.force_login(people.resident)
    response = client.post(
        reverse("appeals:new"),
        {
            "kind": "complaint",
            "category": "sanitation",
            "description": "垃圾堆放在楼道",
            "photos": [_upload("x.jpg", b"text pretending")],
        },
    )
    assert response.status_code == 422
    assert "不是有效的图片" in response.content.decode()
    assert Appeal.objects.count() == 0
