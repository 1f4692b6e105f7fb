from typing import Any

from django import template

from core.i18n import localized_value

register = template.Library()


@register.simple_tag
def localized(source: Any, field: str) -> Any:
    """``{% localized page "intro" %}``: the field in the active language."""
    return localized_value(source, field)
