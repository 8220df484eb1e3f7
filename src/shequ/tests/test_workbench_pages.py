"""Every role's workbench page with every app's providers registered: what
each role sees, a query count that does not grow with the data, and the
periodic work that runs by itself beside the server (``scripts/serve.sh``,
which ``make demo`` runs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.appeals.tests.helpers import raise_appeal
from shequ.core.scope import Actor
from shequ.whistles.models import Whistle
from shequ.whistles.tests.whistle_helpers import blow

ROOT = Path(__file__).resolve().parents[3]

# What the home page of each role lists under 待办 once one appeal (registered
# by the building head, so nobody owns it yet) waits for triage and one whistle
# for its report-in.
TODO_LABELS = {
    "worker": ["居民诉求待分办"],
    "secretary": ["居民诉求待分办"],
    "department_liaison": ["吹哨待报到"],
    "street_officer": [],
    "district_admin": [],
    "resident": [],
}


def _todo_labels(html: str) -> list[str]:
    start = html.index('id="todos"')
    block = html[start : html.index("</section>", start)]
    labels = []
    for piece in block.split('class="text-decoration-none flex-grow-1"')[1:]:
        text = piece.split(">", 1)[1].split("</a>", 1)[0]
        labels.append(text.rsplit("</span>", 1)[-1].strip())
    return labels


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(TODO_LABELS))
def test_each_roles_workbench_lists_its_own_to_dos(client, tree, people, clock, role):
    raise_appeal(Actor.for_user(people.building_head), tree.community)
    blow(people, tree.community)
    client.force_login(getattr(people, role))
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _todo_labels(html) == TODO_LABELS[role]
    assert ('id="overdue-communities"' in html) is False  # nothing overdue yet


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["secretary", "street_officer", "department_liaison"])
def test_workbench_query_count_does_not_grow_with_the_data(client, tree, people, clock, role):
    raise_appeal(Actor.for_user(people.worker), tree.community)
    blow(people, tree.community)
    client.force_login(getattr(people, role))
    url = reverse("core:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        raise_appeal(Actor.for_user(people.worker), tree.community)
        blow(people, tree.community, title=f"第{i}件")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"]
        return f"postgresql://{user}@{host}:{port or 5432}/{settings['NAME']}"
    return f"sqlite:///{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_serve_escalates_an_overdue_whistle_without_a_command(tree, people):
    """``scripts/serve.sh`` (what ``make demo`` starts) runs gunicorn and the
    tick loop; an urgent whistle past its report-in deadline is escalated by
    the loop (here every 2 s instead of 60) well within two minutes."""
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip(
            "the SQLite test database is in memory, out of reach of another process: "
            "this runs in the PostgreSQL pass of `make test`"
        )
    whistle = blow(people, tree.community, urgency="urgent")
    Whistle.objects.filter(pk=whistle.pk).update(
        report_in_due=whistle.raised_at.replace(year=whistle.raised_at.year - 1),
        addressed_at=whistle.raised_at.replace(year=whistle.raised_at.year - 1),
    )
    port = _free_port()
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "PORT": str(port),
        "WORKERS": "1",
        "TICK_EVERY": "2",
        "BIN": str(Path(sys.executable).parent),
    }
    server = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "scripts" / "serve.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        escalated = healthy = False
        while time.monotonic() < deadline and not (escalated and healthy):
            time.sleep(0.5)
            assert server.poll() is None, server.stdout.read().decode()
            whistle.refresh_from_db()
            escalated = whistle.escalation > 0
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    healthy = r.status == 200
            except OSError:
                healthy = False
        assert (escalated, healthy) == (True, True)
        assert whistle.escalation == 2  # a year late: straight through to the district
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    assert server.returncode == 143
