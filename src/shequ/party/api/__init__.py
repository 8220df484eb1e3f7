"""The party module's API at ``/api/party/``: the same services and
selectors as the pages, the same scope."""

from ninja import Router

from shequ.party.api import buildings, figures, members, orgs, reporting, stations, transfers

router = Router(tags=["党建引领"])
for module in (orgs, members, transfers, stations, buildings, reporting, figures):
    router.add_router("/", module.router)
