"""The resident's phone pages: lookup, case page, rating, notice, online application."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.core.models import AuditRecord
from shequ.desk.cases.services import case_complete, case_intake, case_start
from shequ.desk.models import (
    Case,
    CaseState,
    Channel,
    Rating,
    Rectification,
    RectificationState,
    Review,
)
from shequ.desk.tests.conftest import ALL_MATERIALS, PHONE, applicant
from shequ.desk.tests.helpers import adopt, make_item
from shequ.residents.tests.helpers import resident

pytestmark = pytest.mark.django_db

TAIL = PHONE[-4:]
LOOKUP = reverse("services:public_lookup")


def intake(desk, **kw):
    args = {
        "actor": desk.worker_actor,
        "community": desk.community,
        "item": desk.item,
        "applicant": applicant(),
        "provided": ALL_MATERIALS,
        "window": desk.window,
    } | kw
    return case_intake(**args)


def completed(desk) -> Case:
    case = intake(desk).case
    case_start(actor=desk.worker_actor, case_id=case.pk)
    return case_complete(actor=desk.worker_actor, case_id=case.pk, outcome="approved")


def look_up(client, number: str, tail: str = TAIL):
    return client.post(LOOKUP, {"receipt_no": number, "phone_tail": tail})


def case_url(number: str) -> str:
    return reverse("services:public_case", kwargs={"receipt_no": number})


# -- lookup --------------------------------------------------------------------------------


def test_lookup_form_is_open_to_anyone(client):
    response = client.get(LOOKUP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="receipt_no"' in html
    assert 'name="phone_tail"' in html
    assert html.count('inputmode="numeric"') == 2


def test_lookup_with_the_right_digits_opens_the_case(client, desk, clock):
    clock.set("2026-11-02")
    case = intake(desk).case

    response = look_up(client, case.receipt_no)

    assert response.status_code == 302
    assert response["Location"] == case_url(case.receipt_no)
    assert client.session["lookup_ok"] == [case.receipt_no]
    page = client.get(case_url(case.receipt_no))
    assert page.status_code == 200
    html = page.content.decode()
    assert "高龄津贴申领" in html
    assert "已受理" in html
    assert "2026年11月9日" in html  # 办结期限: 5 working days after 11-02
    assert "受理" in html  # the timeline's first event
    assert 'name="rating"' not in html  # not completed: no rating form
    assert TAIL not in html  # the digits are not echoed back


def test_lookup_with_wrong_digits_shows_the_form_again(client, desk, clock):
    case = intake(desk).case

    response = look_up(client, case.receipt_no, "0000")

    assert response.status_code == 404
    html = response.content.decode()
    assert "受理编号或手机号后四位不正确" in html
    assert 'name="phone_tail"' in html
    assert "lookup_ok" not in client.session
    assert client.get(case_url(case.receipt_no)).status_code == 302


def test_lookup_of_letters_is_refused_without_counting(client):
    response = look_up(client, "abc", "12")
    assert response.status_code == 422
    assert "请输入受理编号" in response.content.decode()
    assert not AuditRecord.objects.filter(action="case.lookup").exists()


def test_guessing_is_stopped_after_five_failures(client, desk, clock):
    case = intake(desk).case
    for _ in range(5):
        assert look_up(client, case.receipt_no, "9999").status_code == 404

    response = look_up(client, case.receipt_no)  # even the right digits now

    assert response.status_code == 429
    assert "查询失败次数过多" in response.content.decode()
    assert "lookup_ok" not in client.session


def form_errors(response) -> list[str]:
    return re.findall(r'class="[^"]*form-error"[^>]*>([^<]*)</div>', response.content.decode())


def test_a_failed_lookup_is_not_found_and_says_why(client, desk, clock):
    # given: an accepted case, and a number that matches nothing
    case = intake(desk).case

    # when / then: a number unknown and digits wrong answer the same 404, on the form
    for number, tail in (("2103020010012099010100001", TAIL), (case.receipt_no, "0000")):
        response = look_up(client, number, tail)
        assert response.status_code == 404, number
        assert form_errors(response) == ["受理编号或手机号后四位不正确，请核对后再试。"]
        assert 'id="lookup-form"' in response.content.decode()
    # Input that is no number keeps its 422, guessing past five tries its 429.
    response = look_up(client, "abc", TAIL)
    assert (response.status_code, form_errors(response)) == (422, ["请输入受理编号（数字）。"])
    for _ in range(4):  # with the "0000" above, five wrong guesses at this number
        assert look_up(client, case.receipt_no, "9999").status_code == 404
    response = look_up(client, case.receipt_no)
    assert (response.status_code, form_errors(response)) == (
        429,
        ["查询失败次数过多，请15分钟后再试，或到社区窗口查询。"],
    )


def test_case_page_without_lookup_redirects_to_the_form(client, desk, clock):
    case = intake(desk).case

    response = client.get(case_url(case.receipt_no))

    assert response.status_code == 302
    assert response["Location"] == f"{LOOKUP}?receipt_no={case.receipt_no}"
    pdf = client.get(reverse("services:public_notice_pdf", kwargs={"receipt_no": "123"}))
    assert pdf.status_code == 302


def test_verified_numbers_are_capped(client, desk, clock):
    session = client.session
    session["lookup_ok"] = [str(n) for n in range(10)]
    session["lookup_tails"] = {str(n): "0000" for n in range(10)}
    session.save()
    case = intake(desk).case

    look_up(client, case.receipt_no)

    numbers = client.session["lookup_ok"]
    assert len(numbers) == 10
    assert numbers[-1] == case.receipt_no
    assert "0" not in numbers
    assert set(client.session["lookup_tails"]) == set(numbers)


# -- 好差评 ----------------------------------------------------------------------------------


def test_rating_form_on_a_completed_case(client, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    look_up(client, case.receipt_no)

    html = client.get(case_url(case.receipt_no)).content.decode()

    assert "准予办理" in html
    for value, label in Rating.choices:
        assert f'name="rating" id="rating-{value}" value="{value}"' in html
        assert label in html
    assert 'name="comment"' in html
    assert "提交评价" in html
    assert 'name="phone_tail"' not in html


def test_rating_once(client, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    look_up(client, case.receipt_no)

    response = client.post(case_url(case.receipt_no), {"rating": "4", "comment": ""}, follow=True)

    html = response.content.decode()
    assert "感谢您的评价" in html
    assert "满意" in html
    review = Review.objects.get()
    assert (review.case_id, review.rating, review.comment) == (case.pk, 4, "")
    assert "提交评价" not in html

    again = client.post(case_url(case.receipt_no), {"rating": "5", "comment": "很好"})

    assert again.status_code == 409
    assert "已评价" in again.content.decode()
    assert Review.objects.count() == 1
    assert Review.objects.get().rating == 4


def test_rating_a_case_not_completed_is_refused(client, desk, clock):
    case = intake(desk).case
    look_up(client, case.receipt_no)

    response = client.post(case_url(case.receipt_no), {"rating": "5"})

    assert response.status_code == 409
    assert "办件办结后才能评价" in response.content.decode()
    assert not Review.objects.exists()
    assert not Rectification.objects.exists()


def test_dissatisfied_without_a_comment_is_refused(client, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    look_up(client, case.receipt_no)

    response = client.post(case_url(case.receipt_no), {"rating": "2", "comment": "  "})

    assert response.status_code == 422
    html = response.content.decode()
    assert "请说明不满意的原因" in html
    assert 'value="2" checked' in html  # the choice is kept for the second try
    assert not Review.objects.exists()
    assert not Rectification.objects.exists()


def test_dissatisfied_with_a_comment_opens_a_rectification(client, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    look_up(client, case.receipt_no)

    response = client.post(
        case_url(case.receipt_no), {"rating": "2", "comment": "排队太久"}, follow=True
    )

    assert "感谢您的评价" in response.content.decode()
    assert "不满意" in response.content.decode()
    rect = Rectification.objects.get()
    assert rect.case_id == case.pk
    assert rect.status == RectificationState.OPEN
    assert rect.review.comment == "排队太久"


def test_junk_rating_is_refused(client, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    look_up(client, case.receipt_no)
    for data in ({}, {"rating": "9"}, {"rating": "<script>", "comment": "x" * 700}):
        response = client.post(case_url(case.receipt_no), data)
        assert response.status_code == 422
    assert not Review.objects.exists()


# -- 一次性告知单 -----------------------------------------------------------------------------


def test_notice_page_and_pdf(client, desk, clock):
    clock.set("2026-11-02")
    notice = intake(desk, provided=["居民身份证", "近期一寸免冠照片"]).notice
    pdf_url = reverse("services:public_notice_pdf", kwargs={"receipt_no": notice.number})
    assert client.get(pdf_url).status_code == 302  # not looked up yet

    look_up(client, notice.number)
    page = client.get(case_url(notice.number))

    assert page.status_code == 200
    html = page.content.decode()
    assert "一次性告知单" in html
    assert "户口簿" in html
    assert "居民身份证" not in html
    assert pdf_url in html
    assert 'name="rating"' not in html
    pdf = client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert pdf.content.startswith(b"%PDF-")
    # Rating a notice is refused: it is not a case.
    refused = client.post(case_url(notice.number), {"rating": "5"})
    assert refused.status_code == 422
    assert not Review.objects.exists()


def test_notice_pdf_of_a_case_number_is_not_found(client, desk, clock):
    case = intake(desk).case
    look_up(client, case.receipt_no)
    response = client.get(
        reverse("services:public_notice_pdf", kwargs={"receipt_no": case.receipt_no})
    )
    assert response.status_code == 404


def test_public_pages_survive_junk(client, desk, clock):
    case = intake(desk).case
    look_up(client, case.receipt_no)
    junk = {"receipt_no": "<script>", "phone_tail": "x" * 50, "rating": "abc", "comment": "%00"}
    for url in (LOOKUP, case_url(case.receipt_no), case_url("1" * 32)):
        for data in ({}, junk):
            assert client.post(url, data).status_code in {200, 302, 404, 409, 422}
        assert client.get(url + "?receipt_no=%00&page=x").status_code in {200, 302}


# -- 网上办事 --------------------------------------------------------------------------------


@pytest.fixture
def online(tree, people, desk):
    """The resident's account linked to the register; an online item the
    community offers, one only the other community offers."""
    me = resident(tree.unit, name="李桂英", seq=3, phone="13912345678")
    me.user = people.resident
    me.save(update_fields=["user"])
    item = make_item(
        tree.district,
        code="ZM-009",
        name="居住证明开具",
        online_allowed=True,
        form_fields=[
            {"name": "用途", "type": "choice", "required": True, "options": ["入学", "就业"]}
        ],
    )
    adopt(tree.community, item)
    elsewhere = make_item(tree.district, code="ZM-010", name="异地证明", online_allowed=True)
    adopt(tree.other_community, elsewhere)
    return {"me": me, "item": item, "elsewhere": elsewhere}


def test_apply_list_shows_only_online_items_of_my_community(client, people, online, desk):
    client.force_login(people.resident)

    html = client.get(reverse("services:apply_list")).content.decode()

    assert "居住证明开具" in html
    assert "异地证明" not in html
    assert "高龄津贴申领" not in html  # adopted, but not online


def test_apply_online_creates_a_submitted_case(client, people, online, clock):
    clock.set("2026-11-02")
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": online["item"].pk})
    html = client.get(url).content.decode()
    assert 'name="provided"' in html
    assert 'name="form__用途"' in html
    assert 'name="phone"' in html

    response = client.post(
        url,
        {"provided": ALL_MATERIALS, "form__用途": "入学", "phone": "", "note": "孩子上学用"},
        follow=True,
    )

    case = Case.objects.get()
    assert case.status == CaseState.SUBMITTED
    assert case.channel == Channel.ONLINE
    assert case.resident_id == online["me"].pk
    assert case.form_data == {"用途": "入学"}
    assert case.phone_tail == "5678"  # the registered phone
    assert case.receipt_no in response.content.decode()
    assert "我的申请" in response.content.decode()


def test_apply_online_with_a_missing_required_field_is_refused(client, people, online):
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": online["item"].pk})

    response = client.post(url, {"provided": ALL_MATERIALS, "note": "x"})

    assert response.status_code == 422
    assert "请填写“用途”" in response.content.decode()
    assert not Case.objects.exists()


def test_apply_for_an_item_not_online_is_refused(client, people, online, desk):
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": desk.item.pk})

    page = client.get(url)
    assert "不能网上申请" in page.content.decode()
    assert 'name="provided"' not in page.content.decode()
    response = client.post(url, {"provided": ALL_MATERIALS})

    assert response.status_code == 422
    assert "不能网上申请" in response.content.decode()
    assert not Case.objects.exists()


def test_apply_for_an_item_of_another_community_is_refused(client, people, online):
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": online["elsewhere"].pk})

    assert "未开办" in client.get(url).content.decode()
    response = client.post(url, {"provided": ALL_MATERIALS})

    assert response.status_code == 422
    assert "本社区未认领" in response.content.decode()
    assert not Case.objects.exists()


def test_apply_without_a_linked_register_entry(client, people, desk):
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": desk.item.pk})
    response = client.post(url, {"provided": ALL_MATERIALS})
    assert response.status_code == 403
    assert "尚未关联居民登记信息" in response.content.decode()
    assert not Case.objects.exists()


def test_apply_pages_need_the_apply_permission(client, people, online):
    client.force_login(people.worker)
    url = reverse("services:apply", kwargs={"item_id": online["item"].pk})
    assert client.post(url, {"provided": ALL_MATERIALS, "form__用途": "入学"}).status_code == 403
    assert client.get(reverse("services:my_applications")).status_code == 403
    assert not Case.objects.exists()


def test_my_applications_lists_only_my_cases(client, people, online, desk, clock):
    clock.set("2026-11-02")
    # Someone else's case at the window, and two of mine.
    intake(desk)
    client.force_login(people.resident)
    url = reverse("services:apply", kwargs={"item_id": online["item"].pk})
    for purpose in ("入学", "就业"):
        client.post(url, {"provided": ALL_MATERIALS, "form__用途": purpose})
    mine = list(Case.objects.filter(resident=online["me"]).values_list("receipt_no", flat=True))
    assert len(mine) == 2

    response = client.get(reverse("services:my_applications"))

    html = response.content.decode()
    for number in mine:
        assert number in html
    assert html.count("待受理") == 2
    assert Case.objects.exclude(resident=online["me"]).get().receipt_no not in html


def test_resident_lists_do_not_grow_queries_with_rows(client, people, online, clock):
    clock.set("2026-11-02")
    client.force_login(people.resident)
    apply_url = reverse("services:apply", kwargs={"item_id": online["item"].pk})

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client.post(apply_url, {"provided": ALL_MATERIALS, "form__用途": "入学"})
    one = queries(reverse("services:my_applications"))
    items_one = queries(reverse("services:apply_list"))
    for n in range(3):
        client.post(apply_url, {"provided": ALL_MATERIALS, "form__用途": "就业"})
        extra = make_item(online["item"].district, code=f"ZM-1{n}", online_allowed=True)
        adopt(online["me"].community, extra)
    assert Case.objects.count() == 4
    assert queries(reverse("services:my_applications")) == one
    assert queries(reverse("services:apply_list")) == items_one


@pytest.mark.browser
def test_resident_rates_on_a_phone_screen(phone_page, live_server, desk, clock):
    clock.set("2026-11-02")
    case = completed(desk)
    page = phone_page

    page.goto(f"{live_server.url}{LOOKUP}")
    page.fill("#id_receipt_no", case.receipt_no)
    page.fill("#id_phone_tail", TAIL)
    with page.expect_navigation():
        page.locator("#lookup-form button[type=submit]").click()
    assert page.locator("#state-label").inner_text() == "已办结"
    page.check("#rating-4")
    with page.expect_navigation():
        page.get_by_role("button", name="提交评价").click()

    assert "感谢您的评价" in page.locator("main").inner_text()
    assert page.locator("#my-review strong").inner_text() == "满意"
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path="/tmp/shequ-public-rated.png", full_page=True)  # noqa: S108
    assert Review.objects.get().rating == 4
    assert page.problems == []


def test_an_immediate_item_is_told_as_such_not_as_zero_days(client, people, online, tree):
    # given: an online item promised in 0 working days (即办件)
    item = make_item(
        tree.district,
        code="ZM-011",
        name="社区证明当场开具",
        online_allowed=True,
        promised_days=0,
        form_fields=[],
    )
    adopt(tree.community, item)
    client.force_login(people.resident)

    # when: the resident looks at the list and at the item
    listing = client.get(reverse("services:apply_list")).content.decode()
    page = client.get(reverse("services:apply", kwargs={"item_id": item.pk})).content.decode()

    # then: both say 即办件, and neither promises "0个工作日"
    assert "即办件，当场办结" in listing and "承诺0个工作日" not in listing
    assert "即办件，受理后当场办结" in page and "承诺0个工作日" not in page
    # the item with working days keeps its promise
    assert "承诺" in listing
