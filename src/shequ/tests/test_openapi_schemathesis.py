"""schemathesis against ``/api/openapi.json`` (issue 16): every operation
gets ``EXAMPLES`` generated requests with a fixed seed, called in-process
through the WSGI application, and every answer must be no server error, a
documented status with a documented content type, and a body its schema
describes.

Each operation is called with the API token of a role that holds the
permission the operation checks, so the requests reach the services rather
than stopping at a 403. Half of an operation's examples are as generated
(unknown, huge, negative ids); in the other half every path parameter,
query parameter and body field named like an id is an id of the permission
matrix's test district (``test_every_page.args``), so reads find their
objects and writes reach their checks. Writes change that district as they
go; the test's transaction is rolled back at the end. Every operation is
exercised: the API has no file uploads (photos go through the pages).

The examples, the seed and the checks are fixed, so the run is the same
each time; ``SHEQU_SCHEMATHESIS_EXAMPLES=100`` looks further by hand."""

import inspect
import os
import re
import time
from collections import defaultdict

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shequ.api import api
from shequ.core.api_auth import token_issue
from shequ.core.permissions import ROLE_PERMISSIONS
from shequ.tests.test_every_page import args  # noqa: F401 - the matrix's test district
from shequ.wsgi import application

pytestmark = pytest.mark.django_db

# Per operation (about a minute for the whole file on one core).
EXAMPLES = int(os.environ.get("SHEQU_SCHEMATHESIS_EXAMPLES", "25"))
SEED_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=True,  # the same requests on every run
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Whose token calls an operation: the first of these roles that holds the
# permission the operation checks (the community's roles first, where the
# test district's objects are); an operation that checks none is called by
# the first.
CALLERS = [
    "secretary", "worker", "party_secretary", "street_officer", "district_admin",
    "security_admin", "system_admin", "building_head", "resident", "unit_liaison",
    "department_liaison",
]  # fmt: skip
PERMISSION = re.compile(r'require\(request, "([\w.]+)"\)')


def _views() -> dict[str, object]:
    return {
        api.get_openapi_operation_id(op): op.view_func
        for router in api._get_bound_routers()  # the operations the schema is built from
        for path_view in router.path_operations.values()
        for op in path_view.operations
    }


def _caller(view, roles: dict[str, str]) -> str:
    needed = PERMISSION.findall(inspect.getsource(view))
    for name, role in roles.items():
        if all(p in ROLE_PERMISSIONS.get(role, frozenset()) for p in needed):
            return name
    return CALLERS[0]


@pytest.fixture
def wsgi():
    """The WSGI application with the test's transaction kept open across
    requests, as Django's test client keeps it: the request signals would
    otherwise close the database connection after the first call."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _with_known_ids(ids: dict):
    """The case with every path parameter, query parameter and top-level body
    field named like an id of the test district set to that id."""

    def fill(case):
        for part in ("path_parameters", "query", "body"):
            values = getattr(case, part)
            if isinstance(values, dict) and any(name in ids for name in values):
                setattr(case, part, {k: ids.get(k, v) for k, v in values.items()})
        return case

    return fill


def _exercise(cases, statuses: set[int]) -> None:
    """Call and check ``EXAMPLES`` of ``cases``; the statuses seen go to ``statuses``."""

    @SEED_SETTINGS
    @hypothesis.given(case=cases)
    def call(case) -> None:
        statuses.add(case.call_and_validate(checks=CHECKS).status_code)

    call()


def test_every_operation_answers_as_its_schema_says(people, args, wsgi):  # noqa: F811
    users = {name: getattr(people, name) for name in CALLERS}
    roles = {name: user.grants.get().role for name, user in users.items()}  # before any write
    tokens = {name: token_issue(user=user, name="接口测试")[1] for name, user in users.items()}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi)
    views = _views()
    known = _with_known_ids(args)
    failures: dict[str, str] = {}
    seconds: dict[str, float] = {}
    answered: dict[str, set[int]] = defaultdict(set)
    for result in schema.get_all_operations():
        operation = result.ok()
        label = operation.label
        caller = _caller(views[operation.definition.raw["operationId"]], roles)
        generated = operation.as_strategy(headers={"Authorization": f"Bearer {tokens[caller]}"})

        started = time.process_time()
        try:
            _exercise(st.one_of(generated, generated.map(known)), answered[label])
        except (Exception, BaseExceptionGroup) as error:  # every failure is reported below
            failures[f"{label} ({caller})"] = str(error)[:3000]
        seconds[label] = time.process_time() - started
    print(f"{len(seconds)} operations, {sum(seconds.values()):.1f} s of CPU")
    for label, statuses in sorted(answered.items()):
        print(f"{label}: {sorted(statuses)} in {seconds[label]:.2f} s")
    assert failures == {}, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())
    assert len(seconds) >= 90
    # The requests reached the services: most operations answered a success too.
    succeeded = [label for label, seen in answered.items() if any(200 <= s < 300 for s in seen)]
    assert len(succeeded) >= 50
