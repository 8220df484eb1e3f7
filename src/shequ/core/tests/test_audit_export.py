"""导出审计记录: only the audit admin, filtered like the list, Excel and CSV
read back, every row re-verifiable from its own columns, people's text kept
text, bad input refused in Chinese with nothing written, the export audited."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shequ.core.audit import audit_log
from shequ.core.audit_chain import GENESIS, block_hash, seal_pending
from shequ.core.models import AuditBlock, AuditRecord, AuditSeal
from shequ.core.pii import sm3_hex
from shequ.core.registry import audit_action_label
from shequ.core.services import audit_export
from shequ.core.services.audit_export import COLUMNS
from shequ.core.tests.factories import actor_for

CLOCK_START = "2026-09-29"
EXPORT = reverse("core:audit_export")
NOW = timedelta(0)
FORMULA = '=HYPERLINK("http://evil.invalid/","点我")'
COL = {name: i for i, name in enumerate(COLUMNS)}


@pytest.fixture
def trail(tree, people, clock):
    """Records on four days: two blocks sealed on the 16th, one sealed on the
    28th, and one from today not sealed yet; then the audit admin logs in."""
    worker, officer = actor_for(people.worker), actor_for(people.street_officer)
    clock.set("2026-09-01")
    created = audit_log(
        actor=worker, action="resident.create", obj=tree.unit, changes={"name": [None, "张*"]}
    )
    refused = audit_log(
        actor=worker,
        action="resident.change",
        obj=tree.unit,
        success=False,
        message="身份证号校验位不正确。",
    )
    clock.set("2026-09-15")
    moved = audit_log(actor=officer, action="region.update", obj=tree.compound)
    clock.set("2026-09-16")
    seal_pending(batch=2, settle=NOW)
    clock.set("2026-09-28")
    formula = AuditRecord.objects.create(
        at=timezone.now(),
        username=FORMULA,
        action="resident.unmask",
        object_repr="+86 王芳",
        region=tree.community,
        changes={"note": "-1"},
    )
    seal_pending(settle=NOW)
    clock.set("2026-09-29")
    today = audit_log(actor=worker, action="resident.create", obj=tree.unit2)
    return {
        "created": created,
        "refused": refused,
        "moved": moved,
        "formula": formula,
        "today": today,
    }


@pytest.fixture
def admin(client, people, trail):
    client.force_login(people.audit_admin)
    return client


def _xlsx(response) -> list[list]:
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [[c.value for c in row] for row in book["审计记录"].iter_rows()]
    assert rows[0] == list(COLUMNS)
    return rows[1:]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == list(COLUMNS)
    return rows[1:]


def _ids(rows) -> list[int]:
    return [int(row[COL["编号"]]) for row in rows]


# -- who may export -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        None,
        "resident",
        "worker",
        "district_admin",
        "inspector",
        "system_admin",
        "security_admin",
    ],
)
def test_only_the_audit_admin_may_export(client, people, trail, who):
    if who:
        client.force_login(getattr(people, who))
    before = AuditRecord.objects.count()
    responses = [client.get(EXPORT), client.get(EXPORT + "?format=csv")]
    expected = 302 if who is None else 403
    assert [r.status_code for r in responses] == [expected, expected]
    if who:
        assert "您当前的角色没有“导出审计记录”的权限。" in responses[0].content.decode()
    assert AuditRecord.objects.count() == before
    assert not AuditRecord.objects.filter(action="audit.export").exists()


def test_the_list_page_links_to_the_export_with_its_filter(admin):
    page = admin.get(reverse("core:audit") + "?action=resident.&success=1").content.decode()
    assert f'href="{EXPORT}?action=resident.&amp;success=1&amp;format=xlsx"' in page
    assert f'href="{EXPORT}?action=resident.&amp;success=1&amp;format=csv"' in page
    assert f'href="{EXPORT}?format=xlsx"' in admin.get(reverse("core:audit")).content.decode()


# -- what is exported -----------------------------------------------------------------------


def test_default_range_is_the_last_366_days_in_id_order(admin, trail, people, clock):
    # given: one more record, 366 days ago (outside the default range)
    clock.set("2025-09-28")
    audit_log(actor=actor_for(people.worker), action="resident.create", obj=people.worker)
    clock.set("2026-09-29")
    login = AuditRecord.objects.get(action="auth.login", username="audit_admin")
    # when: exported with no filter at all
    rows = _xlsx(admin.get(EXPORT))
    # then: 2025-09-29 .. today, sealed or not
    t = trail
    assert _ids(rows) == [
        t["created"].pk,
        t["refused"].pk,
        t["moved"].pk,
        t["formula"].pk,
        t["today"].pk,
        login.pk,
    ]
    assert response_name(admin.get(EXPORT)) == "审计记录_20250929-20260929.xlsx"


def response_name(response) -> str:
    from urllib.parse import unquote

    return unquote(response["Content-Disposition"].split("''", 1)[1])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2026-09-01&date_to=2026-09-15", ["created", "refused", "moved"]),
        ("date_from=2026-09-15&date_to=2026-09-28", ["moved", "formula"]),
        ("action=resident.&date_to=2026-09-29", ["created", "refused", "formula", "today"]),
        ("action=resident.create", ["created", "today"]),
        ("user=street_officer", ["moved"]),
        ("success=0", ["refused"]),
        ("success=1&date_to=2026-09-15", ["created", "moved"]),
        ("object_type=core.region&object_id=__unit__", ["created", "refused"]),
        ("region=210302002001", []),
    ],
)
def test_filters_are_the_list_pages(admin, trail, tree, query, expected):
    query = query.replace("__unit__", str(tree.unit.pk))
    xlsx_rows = _xlsx(admin.get(f"{EXPORT}?{query}"))
    csv_rows = _csv(admin.get(f"{EXPORT}?{query}&format=csv"))
    assert _ids(xlsx_rows) == _ids(csv_rows) == [trail[name].pk for name in expected]


def test_readable_columns(admin, trail, tree):
    [row] = _xlsx(admin.get(f"{EXPORT}?success=0"))
    refused = trail["refused"]
    block = AuditBlock.objects.get(seq=1)
    assert dict(zip(COLUMNS, row, strict=True)) | {"校验原文": "…"} == {
        "编号": refused.pk,
        "时间": "2026-09-01 09:30:00",
        "账号": "worker",
        "角色": "社区工作者",
        "操作": "resident.change",
        "操作名称": audit_action_label("resident.change"),
        "对象类型": "core.region",
        "对象编号": str(tree.unit.pk),
        "对象": "1单元",
        "区划": "1单元",
        "变更内容": None,
        "IP": "127.0.0.1",
        "结果": "被拒绝",
        "说明": "身份证号校验位不正确。",
        "区块序号": 1,
        "区块首条编号": trail["created"].pk,
        "区块末条编号": refused.pk,
        "区块记录数": 2,
        "上一区块哈希": GENESIS,
        "区块哈希": block.hash,
        "封存时间": "2026-09-16 09:30:00",
        "前一条链哈希": AuditSeal.objects.get(pk=trail["created"].pk).chain_hash,
        "链哈希": AuditSeal.objects.get(pk=refused.pk).chain_hash,
        "校验原文": "…",
    }
    [today] = _csv(admin.get(f"{EXPORT}?date_from=2026-09-29&action=resident.create&format=csv"))
    assert [today[COL[c]] for c in ("区块序号", "封存时间", "前一条链哈希", "链哈希")] == [
        "",
        "待封存",
        "",
        "",
    ]


def test_every_row_re_verifies_from_its_own_columns(admin, trail):
    # given: the whole range exported, as Excel and as CSV
    rows = _xlsx(admin.get(f"{EXPORT}?date_to=2026-09-28"))
    csv_rows = _csv(admin.get(f"{EXPORT}?date_to=2026-09-28&format=csv"))
    assert len(rows) == len(csv_rows) == 4
    seals = dict(AuditSeal.objects.values_list("record_id", "chain_hash"))
    for row, line in zip(rows, csv_rows, strict=True):
        # then: SM3(前一条链哈希 ‖ 校验原文) is the record's chain hash, which is its seal's
        digest = sm3_hex((row[COL["前一条链哈希"]] + row[COL["校验原文"]]).encode())
        assert digest == row[COL["链哈希"]] == seals[row[COL["编号"]]]
        assert line[COL["校验原文"]] == row[COL["校验原文"]]
        assert line[COL["链哈希"]] == row[COL["链哈希"]]
    # and: each block's hash follows from its rows (all of them are in the range)
    blocks = {}
    for row in rows:
        blocks[row[COL["区块序号"]]] = row
    for seq, last in blocks.items():
        block = AuditBlock.objects.get(seq=seq)
        assert last[COL["编号"]] == block.last_record_id
        assert (
            block_hash(
                last[COL["上一区块哈希"]],
                last[COL["区块首条编号"]],
                last[COL["区块末条编号"]],
                last[COL["区块记录数"]],
                last[COL["链哈希"]],
            )
            == last[COL["区块哈希"]]
            == block.hash
        )
    assert sorted(blocks) == [1, 2, 3]
    # a filtered export re-verifies too: the middle record of block 1 alone
    [alone] = _xlsx(admin.get(f"{EXPORT}?success=0"))
    assert (
        sm3_hex((alone[COL["前一条链哈希"]] + alone[COL["校验原文"]]).encode())
        == seals[trail["refused"].pk]
    )


def test_a_late_commit_sealed_in_a_later_block_re_verifies_too(admin, clock):
    # given: a record whose transaction committed late: its id is below
    # block 1's, and it was sealed in block 2 (see audit_chain)
    clock.advance(minutes=10)
    now = timezone.now()
    early, late, after = (
        AuditRecord.objects.create(at=at, action="test.late", username="w")
        for at in (now - timedelta(minutes=5), now, now - timedelta(minutes=5))
    )
    seal_pending()
    seal_pending(settle=NOW)
    assert (
        AuditSeal.objects.get(pk=late.pk).block.seq > AuditSeal.objects.get(pk=early.pk).block.seq
    )
    # when: exported (in id order, so the blocks interleave)
    rows = _xlsx(admin.get(f"{EXPORT}?action=test.late"))
    # then: each row still carries the hash it was chained to
    assert _ids(rows) == [early.pk, late.pk, after.pk]
    seals = dict(AuditSeal.objects.values_list("record_id", "chain_hash"))
    for row in rows:
        digest = sm3_hex((row[COL["前一条链哈希"]] + row[COL["校验原文"]]).encode())
        assert digest == row[COL["链哈希"]] == seals[row[COL["编号"]]]


def test_text_that_looks_like_a_formula_stays_text(admin, trail):
    response = admin.get(f"{EXPORT}?action=resident.unmask")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    [row] = list(book.active.iter_rows(min_row=2))
    cells = [row[COL[c]] for c in ("账号", "对象", "变更内容")]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [
        (FORMULA, "s", True),
        ("+86 王芳", "s", True),
        ('{"note": "-1"}', "s", False),
    ]
    [line] = _csv(admin.get(f"{EXPORT}?action=resident.unmask&format=csv"))
    assert (line[COL["账号"]], line[COL["对象"]]) == (f"'{FORMULA}", "'+86 王芳")
    # the hashed text is the record exactly, whatever the readable columns show
    assert f'"username":"{FORMULA.replace(chr(34), chr(92) + chr(34))}"' in line[COL["校验原文"]]


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2026-13-01", "输入一个有效的日期。"),
        ("date_to=x&format=csv", "输入一个有效的日期。"),
        (
            "date_from=2026-09-20&date_to=2026-09-10",
            "起始日期 2026-09-20 晚于截止日期 2026-09-10，请重新选择。",
        ),
        (
            "date_from=2025-09-27&date_to=2026-09-28",
            "一次最多导出 366 天的审计记录，所选 2025-09-27 至 2026-09-28 共 367 天，"
            "请缩小日期范围后分次导出。",
        ),
        ("date_from=2025-01-01", "一次最多导出 366 天的审计记录"),
        ("format=pdf", "导出格式只能是 xlsx 或 csv。"),
        ("success=maybe", "选择一个有效的选项。"),
        ("region=999", "区划代码“999”不存在或不在您的范围内。"),
    ],
)
def test_bad_input_is_a_chinese_400_and_nothing_is_written(admin, query, message):
    before = AuditRecord.objects.count()
    response = admin.get(f"{EXPORT}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert AuditRecord.objects.count() == before


def test_more_rows_than_excel_holds_is_refused_but_csv_is_not(admin, monkeypatch):
    monkeypatch.setattr(audit_export, "XLSX_MAX_ROWS", 3)
    query = f"{EXPORT}?date_to=2026-09-28"
    response = admin.get(query)
    assert response.status_code == 400
    assert (
        "所选范围有 4 条记录，超过 Excel 一张表的上限 3 行：请缩小日期范围，或导出 CSV。"
        in response.content.decode()
    )
    assert not AuditRecord.objects.filter(action="audit.export").exists()
    assert len(_csv(admin.get(query + "&format=csv"))) == 4


def test_366_days_is_allowed(admin):
    response = admin.get(f"{EXPORT}?date_from=2025-09-29&date_to=2026-09-29&format=csv")
    assert response.status_code == 200


# -- the export is audited ------------------------------------------------------------------


def test_the_export_is_audited_with_its_filter(admin, trail, people):
    _csv(admin.get(f"{EXPORT}?action=resident.&date_from=2026-09-01&date_to=2026-09-28&format=csv"))
    _xlsx(admin.get(f"{EXPORT}?success=0"))
    records = AuditRecord.objects.filter(action="audit.export").order_by("id")
    assert [
        (r.username, r.role, r.success, r.region_id, r.changes, r.message) for r in records
    ] == [
        (
            "audit_admin",
            "audit_admin",
            True,
            people.audit_admin.grants.get().region_id,
            {
                "format": "csv",
                "count": 3,
                "filters": {
                    "date_from": "2026-09-01",
                    "date_to": "2026-09-28",
                    "action": "resident.",
                },
            },
            "导出 2026-09-01 至 2026-09-28 的审计记录 3 条",
        ),
        (
            "audit_admin",
            "audit_admin",
            True,
            people.audit_admin.grants.get().region_id,
            {
                "format": "xlsx",
                "count": 1,
                "filters": {"date_from": "2025-09-29", "date_to": "2026-09-29", "success": False},
            },
            "导出 2025-09-29 至 2026-09-29 的审计记录 1 条",
        ),
    ]


def test_query_count_does_not_grow_with_the_rows(admin, people, clock):
    actor = actor_for(people.worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            _xlsx(admin.get(f"{EXPORT}?action=test.many"))
        return len(ctx.captured_queries)

    for _ in range(3):
        audit_log(actor=actor, action="test.many", obj=people.worker)
    seal_pending(settle=NOW)
    few = queries()
    for _ in range(30):
        audit_log(actor=actor, action="test.many", obj=people.worker)
    seal_pending(settle=NOW)
    # a second block: three queries for it (the block before it, that one's
    # last seal, its own seals), whatever its rows
    assert queries() == few + 3
