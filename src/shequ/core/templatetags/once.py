"""``{% once %}``: the one-time token of a creating form (core/formtokens.py)."""

from django import template
from django.utils.html import format_html

from shequ.core.formtokens import FIELD, new_token

register = template.Library()


@register.simple_tag
def once() -> str:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
