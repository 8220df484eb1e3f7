"""The role table every app's permissions add up to is written down in
docs/permissions.md; the two never drift apart."""

from pathlib import Path

from shequ.core.permissions import ROLE_PERMISSIONS, Role, permission_table_markdown
from shequ.core.registry import PERMISSIONS, permission_owner

DOC = Path(__file__).resolve().parents[4] / "docs" / "permissions.md"


def test_docs_permission_table_is_the_registered_one():
    assert DOC.read_text() == permission_table_markdown(), (
        "docs/permissions.md is out of date: run `.venv/bin/shequ permissions > docs/permissions.md`"
    )


def test_every_code_has_an_owner_and_every_role_a_row():
    owners = {code: permission_owner(code) for code in PERMISSIONS}
    assert owners["home.view"] == "core" and len(set(owners.values())) > 1
    assert set(ROLE_PERMISSIONS) >= set(Role)
    assert all("home.view" in ROLE_PERMISSIONS[role] for role in Role)
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted <= set(PERMISSIONS)
