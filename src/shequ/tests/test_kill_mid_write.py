"""kill -9 in the middle of a window intake (issue 16, "Faults and data").

A second process — a plain Python process running the desk's ``case_intake``,
or a gunicorn worker serving ``POST /api/services/cases`` — is paused at a
chosen point of the intake's transaction by a hook injected from outside the
production code (a ``connection.execute_wrapper`` matching one statement, or
the connection's commit), writes a marker file, and is killed with SIGKILL.
Afterwards the database holds either the whole intake — the case with its
receipt number, its visit, its timeline event, its audit record and its
``CaseStat`` rollup — or none of it, and the receipt counter of the day has no
gap: every number it has given out belongs to a committed case with its audit
record, and the next intake takes the number the killed one had taken.

PostgreSQL: the child works on the test database itself. SQLite: the test
database is in memory, so it is copied to a file for the child (the online
backup API) and copied back once the child is dead.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from shequ.core.api_auth import token_issue
from shequ.core.idcard import make_id_number
from shequ.core.models import AuditRecord, ReceiptCounter, Region, TimelineEvent, User
from shequ.core.scope import Actor
from shequ.desk.cases.services import Applicant, case_intake
from shequ.desk.models import Case, CaseStat, CaseState, ServiceItem, Visit, Window
from shequ.desk.tests.helpers import MATERIALS, adopt, make_item, make_window, qualify

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[3]
ALL_MATERIALS = [m["name"] for m in MATERIALS]
PHONE = "13840001234"
WAIT = 60  # seconds for a child to reach its pause (the machine may be busy)

# -- the child process ----------------------------------------------------------------------

# Runs ``case_intake`` with a pause at spec["point"]; at the pause it writes the
# marker (its pid and, on PostgreSQL, its server backend's pid) and sleeps until
# killed. "control" runs to the end and writes the receipt number.
CHILD = r"""
import json, os, re, sys, time

import django

django.setup()

import datetime as dt

from django.db import connections

from shequ.core.models import AuditRecord, ReceiptCounter, Region, User
from shequ.core.scope import Actor
from shequ.desk.cases.services import Applicant, case_intake
from shequ.desk.models import Case, CaseStat, ServiceItem, Window

spec = json.loads(sys.argv[1])
point = spec["point"]
conn = connections["default"]


def backend_pid():
    if conn.vendor == "postgresql" and conn.connection is not None:
        return conn.connection.info.backend_pid
    return None


def mark(**data):
    tmp = spec["marker"] + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"pid": os.getpid(), "backend_pid": backend_pid(), **data}, f)
    os.replace(tmp, spec["marker"])


def pause(where):
    mark(point=where)
    time.sleep(600)
    sys.exit(3)  # never reached when the test kills us


def statement(table, verbs):
    return re.compile(r"^\s*(%s)\b.*?(?<![\w])\"?%s\"?(?![\w])" % ("|".join(verbs), table),
                      re.S | re.I)


COUNTER = ReceiptCounter._meta.db_table
# The number is taken by an upsert on PostgreSQL, by get_or_create + UPDATE elsewhere.
TAKEN = ["INSERT"] if conn.vendor == "postgresql" else ["UPDATE"]
BEFORE = {"before_number": statement(COUNTER, ["SELECT", "INSERT", "UPDATE"])}
AFTER = {
    "after_number": statement(COUNTER, TAKEN),
    "after_case_insert": statement(Case._meta.db_table, ["INSERT INTO"]),
    "after_audit_insert": statement(AuditRecord._meta.db_table, ["INSERT INTO"]),
    "after_rollup": statement(CaseStat._meta.db_table, ["INSERT INTO"]),
}


def wrapper(execute, sql, params, many, context):
    if point in BEFORE and BEFORE[point].match(sql):
        pause(point)
    result = execute(sql, params, many, context)
    if point in AFTER and AFTER[point].match(sql):
        pause(point)
    return result


if point == "before_commit":

    def paused_commit():
        pause("before_commit")

    conn._commit = paused_commit

actor = Actor.for_user(User.objects.get(pk=spec["worker"]))
community = Region.objects.get(pk=spec["community"])
item = ServiceItem.objects.get(pk=spec["item"])
window = Window.objects.get(pk=spec["window"])
with conn.execute_wrapper(wrapper):
    result = case_intake(
        actor=actor,
        community=community,
        item=item,
        applicant=Applicant(**spec["applicant"]),
        provided=spec["provided"],
        window=window,
    )
if point == "after_commit":
    pause("after_commit")
mark(point="done", receipt_no=result.case.receipt_no)
"""

# A gunicorn config whose worker pauses right after the case INSERT of the
# first intake it serves (the marker file not existing yet) and writes the marker.
GUNICORN_CONF = r"""
import json, os, re, time

MARKER = os.environ["KILL_MARKER"]
CASE_INSERT = re.compile(r'^\s*INSERT INTO "services_case"\s', re.I)


def post_worker_init(worker):
    from django.db import connection

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if CASE_INSERT.match(sql) and not os.path.exists(MARKER):
            raw = context["connection"].connection
            backend = raw.info.backend_pid if context["connection"].vendor == "postgresql" else None
            tmp = MARKER + ".tmp"
            with open(tmp, "w") as f:
                json.dump({"pid": os.getpid(), "backend_pid": backend}, f)
            os.replace(tmp, MARKER)
            time.sleep(600)
        return result

    connection.execute_wrappers.append(wrapper)
"""


@dataclass
class Intake:
    community: Region
    item: ServiceItem
    window: Window
    worker: User
    actor: Actor


@pytest.fixture
def intake_desk(tree, people) -> Intake:
    # Transactional tests re-create the content types: ids cached by earlier
    # tests of this process may not exist any more.
    ContentType.objects.clear_cache()
    item = make_item(tree.district)
    adopt(tree.community, item)
    window = make_window(tree.community)
    qualify(people.worker, tree.community)
    return Intake(tree.community, item, window, people.worker, Actor.for_user(people.worker))


def _applicant(n: int) -> dict[str, str]:
    id_number = make_id_number("210302", dt.date(1950, 3, 15), n)
    return {"name": "王秀兰", "id_number": id_number, "phone": PHONE}


def _intake_here(desk: Intake, n: int) -> Case:
    result = case_intake(
        actor=desk.actor,
        community=desk.community,
        item=desk.item,
        applicant=Applicant(**_applicant(n)),
        provided=ALL_MATERIALS,
        window=desk.window,
    )
    assert result.case is not None
    return result.case


def _number(desk: Intake, seq: int) -> str:
    return f"{desk.community.code}{timezone.localdate():%Y%m%d}{seq:05d}"


# -- a database another process can open ----------------------------------------------------


def _postgres_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def shared_database(tmp_path: Path) -> Iterator[str]:
    """The ``DATABASE_URL`` of the test database for another process. On
    SQLite the in-memory database is copied to a file, and the file is copied
    back on leaving (after the child is dead) so the test reads what the child
    left behind."""
    if connection.vendor == "postgresql":
        yield _postgres_url()
        return
    if connection.vendor != "sqlite":
        pytest.skip(f"no kill test for {connection.vendor}")
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    try:
        yield f"sqlite:///{path}"
    finally:
        source = sqlite3.connect(path)  # recovers the WAL: uncommitted frames are dropped
        source.backup(connection.connection)
        source.close()


def _child_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHEQU_TEST_DB_NAME"}
    return env | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "shequ.settings",
        "SHEQU_LOG_LEVEL": "ERROR",
        **extra,
    }


def _wait_for(path: Path, proc: subprocess.Popen) -> dict:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(
                f"the child ended (exit {proc.returncode}) before its pause:\n{out}"
            )
        time.sleep(0.05)
    raise AssertionError(f"the child did not reach its pause within {WAIT} s")


def _wait_backend_gone(backend_pid: int | None) -> None:
    """PostgreSQL aborts a dead client's transaction when its backend reads
    the closed socket; wait for that backend to end (its locks go with it)."""
    if backend_pid is None:
        return
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {backend_pid} of the killed process is still there")


def _backend_state(backend_pid: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [backend_pid])
        return cursor.fetchone()[0]


def _kill(proc: subprocess.Popen, pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    if pid == proc.pid:
        assert proc.wait(timeout=30) == -signal.SIGKILL


# -- what the database holds ------------------------------------------------------------------


def snapshot(desk: Intake) -> dict:
    """Everything an intake writes, counted for the desk's community, with the
    receipt numbers and the day's counter."""
    case_type = ContentType.objects.get_for_model(Case)
    cases = Case.objects.filter(community=desk.community)
    ids = [str(pk) for pk in cases.values_list("pk", flat=True)]
    counter = ReceiptCounter.objects.filter(
        community=desk.community, day=timezone.localdate()
    ).first()
    stats = CaseStat.objects.filter(community=desk.community).values_list("accepted", flat=True)
    return {
        "cases": cases.count(),
        "receipts": sorted(cases.values_list("receipt_no", flat=True)),
        "visits": Visit.objects.filter(community=desk.community, case__isnull=False).count(),
        "timeline": TimelineEvent.objects.filter(
            content_type=case_type, object_id__in=[int(i) for i in ids], action="accept"
        ).count(),
        "audit": sorted(
            changes["receipt_no"]
            for changes in AuditRecord.objects.filter(
                action="case.accept", success=True, object_id__in=ids
            ).values_list("changes", flat=True)
        ),
        "rollup": sum(stats),
        "counter": counter.last if counter else 0,
    }


def whole(desk: Intake, n: int) -> dict:
    """The snapshot of ``n`` complete intakes of today, numbered 1..n."""
    receipts = [_number(desk, i) for i in range(1, n + 1)]
    return {
        "cases": n,
        "receipts": receipts,
        "visits": n,
        "timeline": n,
        "audit": receipts,
        "rollup": n,
        "counter": n,
    }


def assert_no_unexplained_gap(desk: Intake) -> None:
    """Every number the day's counter gave out is a committed case whose
    audit record names it: the counter never ran ahead of what was kept."""
    snap = snapshot(desk)
    issued = [_number(desk, i) for i in range(1, snap["counter"] + 1)]
    assert snap["receipts"] == issued
    assert snap["audit"] == issued


# -- the tests --------------------------------------------------------------------------------


POINTS = [
    # (where the child is killed, whether its intake is in the database afterwards)
    ("before_number", False),
    ("after_number", False),
    ("after_case_insert", False),
    ("after_audit_insert", False),
    ("after_rollup", False),
    ("before_commit", False),
    ("after_commit", True),
]


@pytest.mark.parametrize(("point", "kept"), POINTS)
def test_intake_killed_mid_transaction_is_all_or_nothing(intake_desk, tmp_path, point, kept):
    desk = intake_desk
    # given: one intake of today already committed (number 1)
    _intake_here(desk, 1)
    assert snapshot(desk) == whole(desk, 1)
    marker = tmp_path / "marker.json"
    spec = {
        "point": point,
        "marker": str(marker),
        "worker": desk.worker.pk,
        "community": desk.community.pk,
        "item": desk.item.pk,
        "window": desk.window.pk,
        "applicant": _applicant(2),
        "provided": ALL_MATERIALS,
    }

    # when: a second process runs an intake and is killed at ``point``
    with shared_database(tmp_path) as url:
        child = subprocess.Popen(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", CHILD, json.dumps(spec)],
            env=_child_env(url),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            paused = _wait_for(marker, child)
            assert paused["point"] == point
            if connection.vendor == "postgresql":
                # killed inside its transaction (or after it), and what others
                # see meanwhile is nothing of an open transaction
                assert _backend_state(paused["backend_pid"]) == (
                    "idle" if kept else "idle in transaction"
                )
                assert snapshot(desk) == whole(desk, 2 if kept else 1)
            _kill(child, paused["pid"])
            _wait_backend_gone(paused["backend_pid"])
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()

    # then: the whole second intake or none of it, and no gap in the numbers
    assert snapshot(desk) == whole(desk, 2 if kept else 1)
    assert_no_unexplained_gap(desk)
    # the next intake takes the number right after the last one kept
    case = _intake_here(desk, 3)
    assert case.receipt_no == _number(desk, 3 if kept else 2)
    assert snapshot(desk) == whole(desk, 3 if kept else 2)
    assert_no_unexplained_gap(desk)


def test_control_intake_in_the_child_completes(intake_desk, tmp_path):
    desk = intake_desk
    marker = tmp_path / "marker.json"
    spec = {
        "point": "control",
        "marker": str(marker),
        "worker": desk.worker.pk,
        "community": desk.community.pk,
        "item": desk.item.pk,
        "window": desk.window.pk,
        "applicant": _applicant(1),
        "provided": ALL_MATERIALS,
    }
    with shared_database(tmp_path) as url:
        child = subprocess.run(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", CHILD, json.dumps(spec)],
            env=_child_env(url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=WAIT,
        )
    assert child.returncode == 0, child.stdout + child.stderr
    assert json.loads(marker.read_text())["receipt_no"] == _number(desk, 1)
    assert snapshot(desk) == whole(desk, 1)
    case = Case.objects.get(community=desk.community)
    assert case.status == CaseState.ACCEPTED
    assert_no_unexplained_gap(desk)


# -- a gunicorn worker killed while serving the intake ------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(port: int, token: str, body: dict, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - our own server on the loopback
        f"http://127.0.0.1:{port}/api/services/cases",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as r:  # noqa: S310
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _wait_healthy(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not come up")


def test_gunicorn_worker_killed_mid_intake_then_the_retry_is_taken_once(intake_desk, tmp_path):
    desk = intake_desk
    _intake_here(desk, 1)
    _token, raw = token_issue(user=desk.worker, name="kill test")
    marker = tmp_path / "marker.json"
    conf = tmp_path / "gunicorn_conf.py"
    conf.write_text(GUNICORN_CONF)
    body = {
        "community_id": desk.community.pk,
        "item_id": desk.item.pk,
        "window_id": desk.window.pk,
        "channel": "window",
        "applicant_name": "王秀兰",
        "id_number": _applicant(2)["id_number"],
        "phone": PHONE,
        "provided": ALL_MATERIALS,
        "form_data": {},
    }
    port = _free_port()
    answers: list[object] = []

    def first_request() -> None:
        try:
            answers.append(_post(port, raw, body, "kill-test-1"))
        except OSError as error:  # the worker died: no answer
            answers.append(error)

    with shared_database(tmp_path) as url:
        server = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "shequ.wsgi",
                "--config",
                str(conf),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "300",
                "--log-level",
                "warning",
            ],
            env=_child_env(url, KILL_MARKER=str(marker)),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(port, server)
            # when: the worker serving an intake is killed after the case INSERT
            sender = threading.Thread(target=first_request)
            sender.start()
            paused = _wait_for(marker, server)
            if connection.vendor == "postgresql":
                assert _backend_state(paused["backend_pid"]) == "idle in transaction"
                assert snapshot(desk) == whole(desk, 1)
            os.kill(paused["pid"], signal.SIGKILL)
            sender.join(WAIT)
            _wait_backend_gone(paused["backend_pid"])
            if connection.vendor == "postgresql":
                assert snapshot(desk) == whole(desk, 1)
            # the client got no answer; it sends the same request again, same key,
            # to the worker gunicorn started in place of the killed one
            _wait_healthy(port, server)
            retried = _post(port, raw, body, "kill-test-1")
            replayed = _post(port, raw, body, "kill-test-1")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    assert len(answers) == 1 and isinstance(answers[0], OSError), answers
    # then: the retry is accepted with the number the killed request had taken,
    # the repeat replays it, and the database holds exactly two whole intakes
    assert retried[0] == 201, retried
    assert retried[1]["case"]["receipt_no"] == _number(desk, 2)
    assert replayed == retried
    assert snapshot(desk) == whole(desk, 2)
    assert_no_unexplained_gap(desk)
