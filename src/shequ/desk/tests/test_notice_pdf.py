"""The one-time notice PDF, read back with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from shequ.core import pdf as pdf_module
from shequ.core.tests.pdfs import pdf_text
from shequ.desk.cases.notice_pdf import FontMissing, cjk_font, notice_pdf
from shequ.desk.cases.services import case_intake
from shequ.desk.tests.conftest import applicant

pytestmark = pytest.mark.django_db


def _notice(desk):
    """A one-time notice at the desk's window: nothing was brought."""
    return case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=[],
        window=desk.window,
    ).notice


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_notice_lists_every_missing_material_and_not_the_provided_ones(desk, clock):
    # Given 户口簿 (key) and the photo (not key) missing: no case, a notice.
    clock.set("2026-11-02")
    result = case_intake(
        actor=desk.worker_actor,
        community=desk.community,
        item=desk.item,
        applicant=applicant(),
        provided=["居民身份证"],
        window=desk.window,
    )
    assert result.case is None
    notice = result.notice

    # When the notice is rendered and read back
    data = notice_pdf(notice)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)

    # Then it names itself, its number, everything missing and only that.
    assert "一次性告知单" in text
    assert notice.number in text
    missing = _section(text, "需补齐的材料", "已查验的材料")
    assert "共2项" in missing
    assert "户口簿" in missing
    assert "近期一寸免冠照片" in missing
    assert "居民身份证" not in missing
    checked = _section(text, "已查验的材料", "告知事项")
    assert "居民身份证" in checked
    assert "户口簿" not in checked
    # The applicant's name is masked, the promised time limit and the lookup are told.
    assert "王**" in text
    assert "王秀兰" not in text
    assert "5个工作日内办结" in text
    assert "最多跑一趟" in text
    assert "/services/banshi/" in text
    assert "手机号后四位" in text
    # The phone's last digits are the lookup secret: not printed.
    assert "1234" not in text.replace(notice.number, "")


def test_plain_pypdf_extraction_finds_the_title(desk, clock):
    # The title's glyphs get the first codes, below 256, which pypdf's own
    # extractor decodes (with a NUL before each); a smoke test of the file.
    clock.set("2026-11-02")
    notice = _notice(desk)
    raw = PdfReader(io.BytesIO(notice_pdf(notice))).pages[0].extract_text()
    assert "一次性告知单" in raw.replace("\x00", "")


def test_font_found_through_fontconfig():
    font = cjk_font()
    assert font.path.endswith((".ttc", ".otf", ".ttf"))
    assert font.index >= 0


def test_missing_font_is_a_clear_chinese_error(monkeypatch):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        cjk_font()


def test_a_changed_notice_is_rendered_again_not_served_from_the_cache(desk, clock):
    # Given a notice rendered once (and so cached)
    clock.set("2026-11-02")
    notice = _notice(desk)
    first = notice_pdf(notice)
    assert notice_pdf(notice) is first  # the same file, not rendered twice

    # When what it prints changes (the community is renamed)
    desk.community.name = "改名后的社区"
    notice.community.name = "改名后的社区"

    # Then the new name is printed: the cache is keyed by what the sheet shows.
    again = notice_pdf(notice)
    assert again != first
    assert "改名后的社区" in pdf_text(again)
    assert "改名后的社区" not in pdf_text(first)


def test_an_immediate_item_prints_as_such(desk, clock):
    clock.set("2026-11-02")
    notice = _notice(desk)
    notice.version.promised_days = 0  # as a 即办件's version would say

    text = pdf_text(notice_pdf(notice))

    assert "即办件，材料齐全即可当场办结" in text
    assert "法定时限15个工作日" in text
    assert "0个工作日内办结" not in text
