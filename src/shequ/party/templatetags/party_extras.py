"""Small lookups the party figures need: a dict's value by key, a dict's sum."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get(table: dict, key: str) -> int:
    return table.get(key, 0)


@register.filter
def total(table: dict) -> int:
    return sum(table.values())
