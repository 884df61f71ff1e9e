"""Crisis resources per locale. Content shows them first whenever a risk item is positive."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from bothand.domain.knowledge.base import ContentModel, Meta, PatientText, SourceId


class CrisisAction(ContentModel):
    """One tap on a phone: call a number, or open a text message to it (with its keyword).
    ``label`` is what the link says, in the locale's words ("Call 988")."""

    kind: Literal["call", "text"]
    number: str = Field(pattern=r"^\+?[0-9]{2,15}$")
    body: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{1,20}$")  # texts only
    label: PatientText

    @model_validator(mode="after")
    def _body_only_for_texts(self) -> CrisisAction:
        if self.body is not None and self.kind != "text":
            raise ValueError("only a text action can carry a body")
        return self

    @property
    def href(self) -> str:
        """A ``tel:`` URI (RFC 3966) or an ``sms:`` URI (RFC 5724)."""
        if self.kind == "call":
            return f"tel:{self.number}"
        return f"sms:{self.number}" + (f"?body={self.body}" if self.body else "")


class CrisisResource(ContentModel):
    name: PatientText
    contact: str = Field(
        min_length=2
    )  # a phone number, a text short code, or "text SHOUT to 85258"
    detail: PatientText  # when and how to use it
    url: str | None = None
    actions: tuple[CrisisAction, ...] = ()  # the contact as links a phone can open
    # One of the locale's one or two most urgent lines (the national crisis line, emergency
    # services): the compact crisis box on the pages after the results shows only these as
    # links, with the rest folded one tap away.
    top: bool = False


class CrisisLocale(ContentModel):
    locale: str = Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")
    region: str
    urgent_message: PatientText  # shown first when a risk item is positive
    standing_message: PatientText  # the help link text shown on every surface
    zero_is_not_no_risk: PatientText  # shown beside a risk item answered 0
    not_assessed: PatientText  # shown when no risk question was answered: never "no risk"
    resources: tuple[CrisisResource, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_or_two_top_lines_to_call(self) -> CrisisLocale:
        top = self.top_resources
        if not 1 <= len(top) <= 2:
            raise ValueError(f"{self.locale}: mark one or two resources `top`, not {len(top)}")
        for resource in top:
            if not any(action.kind == "call" for action in resource.actions):
                raise ValueError(f"{self.locale}: top resource {resource.name!r} has no call")
        return self

    @property
    def top_resources(self) -> tuple[CrisisResource, ...]:
        """The one or two most urgent lines, in file order (the compact crisis box)."""
        return tuple(resource for resource in self.resources if resource.top)


class CrisisDirectory(ContentModel):
    meta: Meta
    default_locale: str
    aliases: dict[str, str] = {}  # "en" -> "en-US"
    locales: tuple[CrisisLocale, ...] = Field(min_length=1)

    def for_locale(self, locale: str) -> CrisisLocale:
        """The entry for ``locale``, through aliases, falling back to the default locale."""
        wanted = self.aliases.get(locale, locale)
        by_code = self._by_code
        return (
            by_code.get(wanted)
            or by_code[self.aliases.get(self.default_locale, self.default_locale)]
        )

    @cached_property
    def _by_code(self) -> dict[str, CrisisLocale]:
        return {entry.locale: entry for entry in self.locales}
