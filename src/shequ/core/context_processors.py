from django.http import HttpRequest

from shequ.core import registry
from shequ.core.navigation import active_url, visible_sections
from shequ.core.workbench import unread_count


def shell(request: HttpRequest) -> dict:
    """The navigation of every page: menu, scope name and the bell's count."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor, "nav_sections": [], "nav_active": None}
    sections = visible_sections(actor)
    return {
        "actor": actor,
        "nav_sections": sections,
        "nav_active": active_url(request.path, [url for _, url in sections]),
        "scope_label": registry.scope_label(actor),
        "unread_notifications": unread_count(actor=actor),
    }
