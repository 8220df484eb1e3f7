"""Every audit action code the source writes has a Chinese name in the
registry (``core.registry.register_audit_actions``, each app from its
``audit_labels``), so the audit pages never show a bare code: a new action
without a name fails here.

The codes are read from the source, not from a run: every string literal
passed as ``action=`` (ternaries included), or in the place of a parameter
named ``action`` (``case_record(actor, "case.accept", case)``,
``_call(request, "grant.revoke", …)``), plus ``<workflow>.<transition>`` for
every workflow (the engine writes ``f"{workflow.name}.{t.action}"``). The
records the page matrix's objects leave behind are walked too, and their
objects named by their apps, one query per object type."""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path

import pytest

import shequ
from shequ.appeals.models import Appeal
from shequ.core import registry
from shequ.core.audit_chain import audit_name_objects
from shequ.core.models import AuditRecord
from shequ.core.workdays import local_today
from shequ.core.workflow import Workflow
from shequ.deliberation.models import Meeting, Topic
from shequ.desk.models import Case, Notice
from shequ.party.models import Transfer
from shequ.tests.test_every_page import args  # noqa: F401  (every page's objects)
from shequ.whistles.models import Whistle

SOURCE = Path(shequ.__file__).parent
CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _modules() -> dict[Path, ast.Module]:
    return {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(SOURCE.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(SOURCE).parts)
    }


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _action_positions(modules: dict[Path, ast.Module]) -> dict[str, set[int]]:
    """function name -> the positions of its parameter named ``action``."""
    positions: dict[str, set[int]] = {}
    for tree in modules.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
                if "action" in names:
                    positions.setdefault(node.name, set()).add(names.index("action"))
    return positions


@functools.cache
def written_codes() -> dict[str, str]:
    """Every action code a literal in the source writes -> where (file:line)."""
    modules = _modules()
    positions = _action_positions(modules)
    found: dict[str, str] = {}
    for path, tree in modules.items():
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            values = [k.value for k in call.keywords if k.arg == "action"]
            for index in positions.get(_called_name(call), ()):
                if index < len(call.args):
                    values.append(call.args[index])
            for value in values:
                for node in ast.walk(value):
                    if isinstance(node, ast.Constant) and CODE.match(str(node.value)):
                        where = f"{path.relative_to(SOURCE)}:{node.lineno}"
                        found.setdefault(node.value, where)
    return found


@functools.cache
def workflow_codes() -> dict[str, str]:
    """``case.accept`` … for every transition of every workflow -> its workflow."""
    found: dict[str, str] = {}
    for path in _modules():
        if "Workflow(" not in path.read_text(encoding="utf-8"):
            continue
        dotted = ".".join(("shequ", *path.relative_to(SOURCE).with_suffix("").parts))
        for value in vars(importlib.import_module(dotted)).values():
            if isinstance(value, Workflow):
                for t in value.transitions:
                    found.setdefault(f"{value.name}.{t.action}", f"{dotted}:{value.name}")
    return found


def test_every_action_written_has_a_chinese_name():
    # given
    codes = written_codes() | workflow_codes()

    # when
    unnamed = sorted(
        f"{code} ({where})" for code, where in codes.items() if code not in registry.AUDIT_ACTIONS
    )

    # then
    assert unnamed == []


def test_the_scan_finds_the_codes_of_every_way_of_writing_one():
    codes = written_codes() | workflow_codes()

    assert {
        "auth.login",  # record(action="auth.login")
        "appeal.absorb",  # appeal_record(actor, "appeal.absorb", …)
        "grant.revoke",  # _call(request, "grant.revoke", …)
        "pairing.paper_only_clear",  # action="pairing.paper_only" if … else "…_clear"
        "user.change",  # action=_USER_ACTIONS.get(action, "user.change")
        "resident.update",  # audited(request, "resident.update", …)
        "whistle.report_in",  # WHISTLE_FLOW's transition
        "rectification.follow_up",  # RECTIFICATION_FLOW's transition
    } <= set(codes)


def test_every_name_is_chinese():
    assert [
        code for code, label in registry.AUDIT_ACTIONS.items() if not CHINESE.search(label)
    ] == []


@pytest.mark.usefixtures("args")
def test_the_records_every_page_needs_are_named_one_query_per_type(django_assert_num_queries):
    """The records the page matrix's objects leave (a case, an appeal, a
    whistle, a pairing …, written through the services): every action has
    its Chinese name and every object its app's name, the applicant's never."""
    # given
    records = list(AuditRecord.objects.order_by("id"))
    named_types = {r.object_type for r in records if r.object_id} & set(registry.AUDIT_OBJECT_NAMES)

    # when
    with django_assert_num_queries(len(named_types)):
        audit_name_objects(records)

    # then
    assert [r.action for r in records if r.action_label == r.action] == []
    assert {r.object_type: r.object_name for r in records if r.object_type in named_types} == {
        "services.notice": f"{_notice_number()} 高龄津贴申领",
        "services.case": f"{_receipt_no()} 高龄津贴申领",
        "services.review": f"{_receipt_no()}：非常不满意",
        "services.rectification": f"{_receipt_no()} 的整改",
        "whistles.pairingagreement": "站前社区·城东第一中学",
        "appeals.appeal": f"{Appeal.objects.get().number} 噪音",
        "whistles.whistle": f"{Whistle.objects.get().number} 小区门口占道经营",
        "deliberation.consultationitem": "HJ-01 加装电梯",
        "deliberation.meeting": f"{Meeting.objects.get().number} 议事会",
        "deliberation.topic": f"{Topic.objects.get().number} 加装电梯",
        "party.orgrole": "化机小区1号楼党小组 王*",
        "party.transfer": Transfer.objects.get().number,
        "party.station": "化机小区红旗驿站",
        "party.buildinghead": "1号楼 王*",
        "party.householdvisit": f"{local_today()} 走访302室",
        "party.unitreportin": "城东第一中学 报到",
        "party.memberreportin": "党员 王** 报到",
        "party.need": "周末辅导功课",
        "party.servicelog": f"{local_today()} 辅导功课",
    }
    assert [r for r in records if "王芳" in r.object_name] == []


def _receipt_no() -> str:
    return Case.objects.get().receipt_no


def _notice_number() -> str:
    return Notice.objects.get().number
