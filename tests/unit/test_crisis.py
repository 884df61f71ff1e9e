"""Crisis contacts as links a phone can open: the addresses, and what content may say."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from bothand.catalog import Catalog
from bothand.domain.knowledge.crisis import CrisisAction


def action(**fields: object) -> CrisisAction:
    return CrisisAction.model_validate({"label": "Call 988", **fields})


def test_a_call_is_a_tel_address_and_a_text_an_sms_address_with_its_keyword() -> None:
    assert action(kind="call", number="988").href == "tel:988"
    assert action(kind="call", number="+441234567890").href == "tel:+441234567890"
    assert action(kind="text", number="741741").href == "sms:741741"
    assert action(kind="text", number="741741", body="HOME").href == "sms:741741?body=HOME"


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "call", "number": "116 123"},  # spaces belong in the label, not the number
        {"kind": "call", "number": "9"},
        {"kind": "call", "number": "988", "body": "HOME"},  # a call has no message
        {"kind": "text", "number": "741741", "body": "HOME NOW"},  # one keyword
        {"kind": "text", "number": "741741", "body": "x&y"},  # nothing to escape
        {"kind": "email", "number": "988"},
    ],
)
def test_content_cannot_make_a_broken_address(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        action(**fields)


def test_every_shipped_contact_with_a_number_can_be_called_or_texted(catalog: Catalog) -> None:
    for locale in catalog.crisis.locales:
        for resource in locale.resources:
            assert resource.actions, f"{locale.locale} {resource.name}: no link to call or text"
            for a in resource.actions:  # the link goes where the words say
                assert a.number in re.sub(r"\D", "", resource.contact), (resource.name, a)
                assert a.number in re.sub(r"\D", "", a.label), (resource.name, a.label)
                if a.body is not None:
                    assert a.body in resource.contact and a.body in a.label, resource.name
