"""Crisis resources per locale. Content shows them first whenever a risk item is positive."""

from __future__ import annotations

from functools import cached_property

from pydantic import Field

from bothand.domain.knowledge import ContentModel, Meta, PatientText, SourceId


class CrisisResource(ContentModel):
    name: PatientText
    contact: str = Field(
        min_length=2
    )  # a phone number, a text short code, or "text SHOUT to 85258"
    detail: PatientText  # when and how to use it
    url: str | None = None


class CrisisLocale(ContentModel):
    locale: str = Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")
    region: str
    urgent_message: PatientText  # shown first when a risk item is positive
    standing_message: PatientText  # the help link text shown on every surface
    zero_is_not_no_risk: PatientText  # shown beside a risk item answered 0
    resources: tuple[CrisisResource, ...] = Field(min_length=1)
    sources: tuple[SourceId, ...] = Field(min_length=1)


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
