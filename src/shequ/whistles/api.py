"""The whistles app's API: pairing agreements at ``/api/whistles/agreements``
and whistles at ``/api/whistles/whistles/`` (the paths clients already use)."""

from ninja import Router

from shequ.whistles.pairing.api import router as pairing_router
from shequ.whistles.whistle.api import router as whistle_router

router = Router()
router.add_router("/", pairing_router)
router.add_router("/whistles/", whistle_router)
