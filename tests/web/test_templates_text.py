"""Templates hold no interface text of their own: every word a person reads comes from the
content catalogs (``t('key')``), so a clinic or a translator can change it without code.

The check strips Jinja tags and expressions, HTML comments, tags and entities, and then
expects no letters to remain in any template's text. Attribute values are checked too where
people read them (``alt``, ``title``, ``aria-label``, ``placeholder``, ``value`` of buttons).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "bothand" / "web" / "templates"
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>", re.S)
ENTITY = re.compile(r"&[#a-zA-Z0-9]+;")
READ_ATTRIBUTES = re.compile(r'\b(alt|title|aria-label|placeholder)="([^"]*)"', re.I)
ALLOWED = {"Bothand"}  # the product's name


def leftover_words(source: str) -> list[str]:
    attributes = [value for _, value in READ_ATTRIBUTES.findall(JINJA.sub("", source))]
    text = ENTITY.sub(
        " ", TAG.sub(" ", SCRIPT_STYLE.sub(" ", COMMENT.sub(" ", JINJA.sub(" ", source))))
    )
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", " ".join([text, *attributes]))
    # "figure-" + an id from Jinja is an identifier being built, not words a person reads
    return [word for word in words if word not in ALLOWED and not word.endswith("-")]


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_template_has_no_hard_coded_words(path: Path) -> None:
    assert leftover_words(path.read_text(encoding="utf-8")) == []


def test_the_check_can_fail() -> None:
    assert leftover_words("<p>{{ t('x') }} Hello there</p>") == ["Hello", "there"]
    assert leftover_words('<img alt="A chart" src="/x.svg">') == ["A", "chart"]
    assert leftover_words("<p>{{ t('x') }}</p><!-- a note -->{# another #}") == []
