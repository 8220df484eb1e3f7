"""Every write's history goes through ``core.history.record``: the audit
record and the timeline event have one writer, so no service can write one
without the other or spell either its own way."""

from __future__ import annotations

import ast
from pathlib import Path

import shequ

ROOT = Path(shequ.__file__).parent
# The two halves of ``record`` and the refusal writer live here.
ALLOWED = {ROOT / "core" / "history.py", ROOT / "core" / "audit.py"}
HALVES = {"audit_log", "timeline_record"}


def _calls(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in HALVES:
                found.append(f"{path.relative_to(root)}:{node.lineno} {name}()")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in HALVES:
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {alias.name}")
    return found


def test_history_is_written_only_through_record():
    offenders = [
        hit
        for path in sorted(ROOT.rglob("*.py"))
        if path not in ALLOWED and "tests" not in path.relative_to(ROOT).parts
        for hit in _calls(path)
    ]
    assert offenders == []


def test_the_guard_sees_a_direct_call(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from shequ.core.audit import audit_log\naudit_log(actor=None, action='x')\n",
        encoding="utf-8",
    )
    assert _calls(sample, root=tmp_path) == [
        "sample.py:1 imports audit_log",
        "sample.py:2 audit_log()",
    ]
