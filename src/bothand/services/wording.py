"""How content's words are put into a sentence, in English: the one place for such rules, so
a second language replaces this module's rules, not code scattered over use-cases and pages.
Pure functions of the loaded catalog, computed once per catalog."""

from __future__ import annotations

from functools import lru_cache

from bothand.catalog import Catalog


@lru_cache(maxsize=8)
def condition_names(catalog: Catalog) -> dict[str, str]:
    """Condition names for use inside a sentence: the first letter lower-cased
    ("depression"), unless the name is an abbreviation ("OCD", "PTSD")."""
    names: dict[str, str] = {}
    for info in catalog.explainers.conditions:
        name = info.name
        names[info.id] = name if name[1:2].isupper() else name[:1].lower() + name[1:]
    return names
