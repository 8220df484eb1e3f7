"""The pages: a resident raises an appeal with a photo on the phone page,
rates it from "my appeals"; a worker triages, closes and hands over."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.appeals.models import Appeal, AppealPhoto
from shequ.appeals.tests.conftest import image_bytes
from shequ.appeals.tests.helpers import raise_appeal


def test_resident_pages_flow(client, tree, people, folks):
    client.force_login(people.resident)
    page = client.get(reverse("appeals:new"))
    assert page.status_code == 200 and "反映诉求" in page.content.decode()
    response = client.post(
        reverse("appeals:new"),
        {
            "kind": "complaint",
            "category": "sanitation",
            "description": "3单元门口垃圾堆放多日",
            "place": tree.building.pk,
            "photos": [SimpleUploadedFile("a.png", image_bytes("PNG"), content_type="image/png")],
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("appeals:mine")
    appeal = Appeal.objects.get()
    assert (appeal.building_id, appeal.channel) == (tree.building.pk, "phone")
    assert AppealPhoto.objects.filter(appeal=appeal).count() == 1
    mine = client.get(reverse("appeals:mine")).content.decode()
    assert appeal.number in mine and "待分办" in mine

    client.force_login(people.worker)
    detail = client.get(reverse("appeals:detail", kwargs={"appeal_id": appeal.pk})).content.decode()
    assert "提交议事协商" in detail
    assert f"/whistles/new/?appeal={appeal.pk}" in detail
    assert "建议类别：<strong>环境卫生</strong>" in detail
    url = reverse("appeals:triage", kwargs={"appeal_id": appeal.pk})
    assert client.post(url, {"decision": "self"}).status_code == 302
    close = reverse("appeals:close", kwargs={"appeal_id": appeal.pk})
    refused = client.post(close, {"result": ""})
    assert refused.status_code == 422 and "请填写办理结果" in refused.content.decode()
    assert client.post(close, {"result": "已清运"}).status_code == 302

    client.force_login(people.resident)
    rate = reverse("appeals:rate", kwargs={"appeal_id": appeal.pk})
    assert client.post(rate, {"rating": "satisfied"}).status_code == 302
    again = client.post(rate, {"rating": "basic"})
    assert again.status_code == 409 and "已评价" in again.content.decode()
    appeal.refresh_from_db()
    assert (appeal.status, appeal.rating) == ("closed", "satisfied")


def test_html_description_refused_on_the_page(client, tree, people, folks):
    client.force_login(people.resident)
    response = client.post(
        reverse("appeals:new"),
        {"kind": "help", "category": "other", "description": "<img src=x onerror=alert(1)>"},
    )
    assert response.status_code == 422
    assert "不能包含HTML标签" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_support_button(client, tree, people, folks):
    appeal = raise_appeal(folks.resident_actor, tree.community)
    client.force_login(folks.neighbour_user)
    assert appeal.description in client.get(reverse("appeals:mine")).content.decode()
    url = reverse("appeals:support", kwargs={"appeal_id": appeal.pk})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 409
    appeal.refresh_from_db()
    assert appeal.supporters == 1


def test_merge_and_hand_over_from_the_page(client, tree, people, folks):
    original = raise_appeal(folks.resident_actor, tree.community)
    duplicate = raise_appeal(folks.worker, tree.community)
    client.force_login(people.worker)
    detail = client.get(reverse("appeals:detail", kwargs={"appeal_id": duplicate.pk}))
    assert f'value="{original.pk}"' in detail.content.decode()  # suggested duplicate
    response = client.post(
        reverse("appeals:triage", kwargs={"appeal_id": duplicate.pk}),
        {"decision": "merge", "duplicate_of_id": original.pk, "duplicate_of_other": ""},
    )
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.supporters == 1
    hand = reverse("appeals:hand_over", kwargs={"appeal_id": original.pk})
    client.post(reverse("appeals:triage", kwargs={"appeal_id": original.pk}), {"decision": "self"})
    assert (
        client.post(hand, {"to_user_id": people.secretary.pk, "note": "请书记跟进"}).status_code
        == 302
    )
    original.refresh_from_db()
    assert original.owner_id == people.secretary.pk


def test_list_filters_and_query_count(
    client, tree, people, folks, clock, django_assert_num_queries
):
    late = raise_appeal(folks.resident_actor, tree.community, category="parking")
    clock.advance(days=3)
    raise_appeal(folks.resident_actor, tree.community, category="noise")
    client.force_login(people.worker)
    url = reverse("appeals:list")
    overdue = client.get(url, {"overdue": "on"}).content.decode()
    assert late.number in overdue and "共 1 件" in overdue
    assert "共 1 件" in client.get(url, {"category": "noise"}).content.decode()
    assert "共 2 件" in client.get(url, {"status": "open"}).content.decode()
    for _ in range(5):
        raise_appeal(folks.worker, tree.community)
    client.get(url)
    # the same whatever the rows (one of them is the bell's unread count)
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(5):
        raise_appeal(folks.worker, tree.community)
    with django_assert_num_queries(6):
        client.get(url)
