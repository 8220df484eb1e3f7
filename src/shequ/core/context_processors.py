from django.http import HttpRequest

from shequ.core.navigation import active_url, visible_sections


def shell(request: HttpRequest) -> dict:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor, "nav_sections": [], "nav_active": None}
    sections = visible_sections(actor)
    active = active_url(request.path, [url for _, url in sections])
    return {"actor": actor, "nav_sections": sections, "nav_active": active}
