from django.http import HttpRequest

from shequ.core.navigation import visible_sections


def shell(request: HttpRequest) -> dict:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor, "nav_sections": []}
    return {"actor": actor, "nav_sections": visible_sections(actor)}
