"""Every creating page claims a one-time form token (``@once``,
core/formtokens.py): a route that creates something — by its name, the
house's naming of creating views — and is not decorated fails here, so a new
app's forms cannot forget it. Whether each page's forms carry the token is
checked on every page every role sees (test_every_page.forms_without_once)."""

from __future__ import annotations

import re

from shequ.tests import matrix

CREATING = re.compile(
    r"(_create|_new|_add|_grant|_assign|_import|:new|:register|:intake|:apply|:propose)$"
)
# Creating by name, but no row a second click would double.
NOT_A_FORM = {
    "residents:import_template",  # the blank sheet, a download
    "services:intake_item",  # htmx partials of the intake page
    "services:intake_applicant",
    "core:switch_grant",  # changes the session's active role, writes nothing
}
# Creating forms whose route does not say so.
ALSO = {"core:tokens"}


def test_every_creating_route_claims_a_form_token():
    routes = {name: view for name, _route, view in matrix.routes()}
    creating = {name for name in routes if CREATING.search(name)} - NOT_A_FORM | ALSO
    assert len(creating) >= 35
    assert sorted(n for n in creating if not getattr(routes[n], "once", False)) == []
