"""An ID number is masked one way wherever it shows (210302********4757: the
address code and the last four digits, the birth date hidden): the register's
pages and API, the case page, the one-time notice and the case API all use
``core.pii.mask_id_number`` (or ``mask_id_parts`` on the clear columns)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shequ.core.pii import mask_id_number, mask_id_parts
from shequ.desk.cases.services import case_intake
from shequ.desk.tests.conftest import ALL_MATERIALS, applicant
from shequ.residents.masking import masked_id
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.django_db

NUMBER = "210302195003224757"  # valid (GB 11643 check digit 7)
MASKED = "210302********4757"


def test_the_one_mask_of_an_18_digit_number():
    assert mask_id_number(NUMBER) == MASKED
    assert mask_id_parts("210302", "4757") == MASKED


def test_the_register_shows_the_same_mask(client, tree, people):
    # given: a resident with that number
    someone = resident(tree.unit, name="王秀兰", number=NUMBER)
    client.force_login(people.worker)

    # when
    page = client.get(reverse("residents:detail", kwargs={"resident_id": someone.pk}))
    listed = client.get(reverse("residents:list")).content.decode()
    api = client.get(f"/api/residents/{someone.pk}").json()

    # then
    assert masked_id(someone) == MASKED
    assert f'id="id-number">{MASKED}</span>' in page.content.decode()
    assert f'<span class="masked">{MASKED}</span>' in listed
    assert api["id_number"] == MASKED
    assert NUMBER not in page.content.decode() + listed


def test_the_case_page_notice_and_case_api_show_the_same_mask(client, desk, clock):
    # given: a one-time notice (nothing brought), then the case accepted
    clock.set("2026-11-02")
    who = applicant(id_number=NUMBER)
    intake = {"actor": desk.worker_actor, "community": desk.community, "item": desk.item}
    notice = case_intake(**intake, applicant=who, provided=[], window=desk.window).notice
    case = case_intake(**intake, applicant=who, provided=ALL_MATERIALS, window=desk.window).case
    client.force_login(desk.worker)

    # when
    case_page = client.get(reverse("services:case", kwargs={"case_id": case.pk})).content.decode()
    notice_page = client.get(
        reverse("services:notice", kwargs={"notice_id": notice.pk})
    ).content.decode()
    detail = client.get(f"/api/services/cases/{case.pk}").json()

    # then
    assert f'id="case-id-number">{MASKED}</dd>' in case_page
    assert f'id="notice-id-number">{MASKED}</span>' in notice_page
    assert detail["id_number"] == MASKED
    assert NUMBER not in case_page + notice_page + str(detail)
