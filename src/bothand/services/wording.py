"""How content's words are put into a sentence, in English: the one place for such rules, so
a second language replaces this module's rules, not code scattered over use-cases and pages.
Pure functions of the loaded catalog, computed once per catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from bothand.catalog import Catalog
from bothand.domain.vocab import CONDITION_RANK


@lru_cache(maxsize=8)
def condition_names(catalog: Catalog) -> dict[str, str]:
    """Condition names for use inside a sentence: the first letter lower-cased
    ("depression"), unless the name is an abbreviation ("OCD", "PTSD")."""
    names: dict[str, str] = {}
    for info in catalog.explainers.conditions:
        name = info.name
        names[info.id] = name if name[1:2].isupper() else name[:1].lower() + name[1:]
    return names


@lru_cache(maxsize=8)
def short_condition_names(catalog: Catalog) -> dict[str, str]:
    """Condition names for use inside a sentence without their aside in brackets:
    "depression (low mood that lasts)" becomes "depression"."""
    return {
        condition: re.sub(r"\s*\([^)]*\)", "", name).strip() or name
        for condition, name in condition_names(catalog).items()
    }


def and_list(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` as "a, b and c"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def part_label(catalog: Catalog, conditions: Iterable[str]) -> str:
    """The words before a statement's part: which conditions it holds for ("For depression
    and panic attacks:"), in the canonical order, naming only ``conditions``."""
    names = short_condition_names(catalog)
    ordered = sorted(set(conditions), key=CONDITION_RANK.__getitem__)
    return f"{catalog.labels['explain.part_for']} {and_list([names[c] for c in ordered])}:"
