"""Bilingual content fields.

Content an assessor writes is stored once per language in paired fields:
``title`` holds Simplified Chinese (the default language) and ``title_en`` the
English text. One page then serves both languages, so a survey keeps one set of
question codes and one response table whatever language a citizen picks.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

ENGLISH_SUFFIX = "_en"


def localized_value(source: Any, field: str, language: str | None = None) -> Any:
    """The English variant of ``field`` when English is active and filled in.

    ``source`` may be a model instance, a StreamField block value or a dict;
    Chinese is the fallback whenever the English text is empty.
    """
    language = language or get_language() or "zh-hans"

    def read(name: str) -> Any:
        if isinstance(source, dict) or hasattr(source, "keys"):
            return source.get(name)
        return getattr(source, name, None)

    if language.startswith("en"):
        english = read(field + ENGLISH_SUFFIX)
        if english:
            return english
    return read(field)
