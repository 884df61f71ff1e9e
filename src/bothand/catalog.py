"""The only reader of ``content/``: parse each YAML file into its frozen model, then check
cross-references (every id used exists, every source id resolves in the bibliography).

A clinic may point Bothand at its own reviewed copy of the content folder; everything here
works on any folder with the same layout. Loading is done once, at start-up and in tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bothand.domain.assess.instruments import Instrument
from bothand.domain.decide.rules import RuleBook
from bothand.domain.errors import ContentError
from bothand.domain.intake import Intake
from bothand.domain.knowledge.alerts import AlertRules
from bothand.domain.knowledge.base import (
    Meta,
    iter_patient_texts,
    iter_source_ids,
)
from bothand.domain.knowledge.crisis import CrisisDirectory
from bothand.domain.knowledge.evidence import Evidence
from bothand.domain.knowledge.explainers import Explainers
from bothand.domain.knowledge.labels import Labels
from bothand.domain.knowledge.outcomes import Outcomes
from bothand.domain.knowledge.redecide import Redecide
from bothand.domain.knowledge.sources import Bibliography
from bothand.domain.plan.timeline import Timeline

CONTENT_DIR = Path(__file__).parent / "content"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, eq=False, repr=False)
class Catalog:
    """The whole knowledge base, validated and cross-checked. Compared and hashed by identity,
    so use-cases can memoise pure results per loaded catalog."""

    bibliography: Bibliography
    explainers: Explainers
    evidence: Evidence
    crisis: CrisisDirectory
    rules: RuleBook
    timeline: Timeline
    intake: Intake
    instruments: dict[str, Instrument]
    labels: Labels
    outcomes: Outcomes
    alerts: AlertRules
    redecide: Redecide
    unavailable: dict[str, str] = field(default_factory=dict)  # instrument id -> reason
    metas: dict[str, Meta] = field(default_factory=dict)  # file name -> provenance

    @property
    def version(self) -> str:
        return self.bibliography.meta.version

    def __repr__(self) -> str:
        # Short on purpose: a failing property test prints its arguments, and the whole
        # knowledge base is some 260 KB of text.
        return f"<Catalog content {self.version}, {len(self.instruments)} instruments>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """The same short form for pretty-printers (IPython, Hypothesis), which otherwise
        list a dataclass field by field."""
        printer.text(repr(self))

    def parts(self) -> Iterator[tuple[str, BaseModel]]:
        """Every loaded model with a name, for walks over all content."""
        yield "sources", self.bibliography
        yield "explainers", self.explainers
        yield "evidence", self.evidence
        yield "crisis", self.crisis
        yield "rules", self.rules
        yield "timeline", self.timeline
        yield "intake", self.intake
        yield "labels", self.labels
        yield "outcomes", self.outcomes
        yield "alerts", self.alerts
        yield "redecide", self.redecide
        for instrument_id in sorted(self.instruments):
            yield f"instruments.{instrument_id}", self.instruments[instrument_id]

    def patient_texts(self) -> Iterator[tuple[str, str]]:
        """``(where, text)`` for every patient-facing text in the knowledge base."""
        for name, part in self.parts():
            for path, text in iter_patient_texts(part):
                yield f"{name}.{path}", text


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, naming the file in any error."""
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except OSError as error:
        raise ContentError(str(path), f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        # One line, as every BothandError message is: PyYAML's own message spans several.
        raise ContentError(
            str(path), f"is not valid YAML ({' '.join(str(error).split())})"
        ) from None


def parse(model: type[M], data: Any, where: str) -> M:
    """Validate ``data`` as ``model``; a failure names the file and the first bad field."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ContentError(where, f"{location}: {first['msg']}") from None


def _load(model: type[M], path: Path) -> M:
    return parse(model, read_yaml(path), str(path))


def _merge_explainers(folder: Path) -> tuple[Explainers, dict[str, Meta]]:
    parts: dict[str, Any] = {}
    metas: dict[str, Meta] = {}
    for kind in ("conditions", "treatments", "options", "ideas", "terms"):
        path = folder / f"{kind}.yaml"
        loaded = _load(Explainers, path)
        parts[kind] = getattr(loaded, kind)
        metas[f"explainers/{kind}.yaml"] = loaded.meta
    first = next(iter(metas.values()))
    return Explainers(meta=first, **parts), metas


def _load_labels(root: Path) -> tuple[Labels, dict[str, Meta]]:
    """``labels.yaml`` plus every ``locales/en/*.yaml`` (interface text by area), merged; a key
    defined in two files is an error naming both."""
    first = _load(Labels, root / "labels.yaml")
    text = dict(first.text)
    metas = {"labels.yaml": first.meta}
    origin = dict.fromkeys(text, "labels.yaml")
    for path in sorted((root / "locales" / "en").glob("*.yaml")):
        part = _load(Labels, path)
        name = f"locales/en/{path.name}"
        for key, value in part.text.items():
            if key in text:
                raise ContentError(name, f"label '{key}' is already defined in {origin[key]}")
            text[key] = value
            origin[key] = name
        metas[name] = part.meta
    return Labels(meta=first.meta, text=text), metas


def load_catalog(content_dir: Path | None = None, wording_dir: Path | None = None) -> Catalog:
    """Load and check all content: ``content_dir`` (the bundled folder when None) and
    ``wording_dir``, licensed instrument wording if any (``Settings`` names both; this module
    never reads the environment)."""
    root = content_dir or CONTENT_DIR
    bibliography = _load(Bibliography, root / "sources.yaml")
    explainers, metas = _merge_explainers(root / "explainers")
    evidence = _load(Evidence, root / "evidence.yaml")
    crisis = _load(CrisisDirectory, root / "crisis.yaml")
    rules = _load(RuleBook, root / "rules.yaml")
    timeline = _load(Timeline, root / "timeline.yaml")
    intake = _load(Intake, root / "intake.yaml")
    outcomes = _load(Outcomes, root / "outcomes.yaml")
    alerts = _load(AlertRules, root / "alerts.yaml")
    redecide = _load(Redecide, root / "redecide.yaml")
    labels, label_metas = _load_labels(root)
    instruments, unavailable = load_instruments(root / "instruments", wording_dir)
    metas.update(
        {
            "sources.yaml": bibliography.meta,
            "evidence.yaml": evidence.meta,
            "crisis.yaml": crisis.meta,
            "rules.yaml": rules.meta,
            "timeline.yaml": timeline.meta,
            "intake.yaml": intake.meta,
            "outcomes.yaml": outcomes.meta,
            "alerts.yaml": alerts.meta,
            "redecide.yaml": redecide.meta,
            **label_metas,
        }
    )
    catalog = Catalog(
        bibliography=bibliography,
        explainers=explainers,
        evidence=evidence,
        crisis=crisis,
        rules=rules,
        timeline=timeline,
        intake=intake,
        instruments=instruments,
        labels=labels,
        outcomes=outcomes,
        alerts=alerts,
        redecide=redecide,
        unavailable=unavailable,
        metas=metas,
    )
    check(catalog)
    return catalog


# --- instruments -------------------------------------------------------------------------
# BEGIN instruments loader (owned by the instruments work; keep the signature)
def load_instruments(
    folder: Path, wording_dir: Path | None
) -> tuple[dict[str, Instrument], dict[str, str]]:
    """Instruments by id, and the reason each unavailable instrument cannot be used.

    Each ``<id>.yaml`` in ``folder`` is one instrument. When its licence does not let us ship
    the wording, ``wording_dir/<id>.yaml`` (a ``LicensedWording`` file a clinic holds) is
    merged in if present. Without it the instrument is still returned in the first dict, with
    ``has_wording`` false, because it can be scored from numbers (a clinician entering the
    answers of a licensed paper form); it is *also* listed in the second dict with the plain
    reason, so a page that needs the questions can say why they are missing.
    """
    from bothand.domain.assess.instruments import LicensedWording

    if not folder.is_dir():
        raise ContentError(str(folder), "the instruments folder is missing")
    instruments: dict[str, Instrument] = {}
    unavailable: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        instrument = _load(Instrument, path)
        if instrument.id != path.stem:
            raise ContentError(str(path), f"id '{instrument.id}' does not match the file name")
        if not instrument.licence.ships_wording:
            wording_path = wording_dir / path.name if wording_dir is not None else None
            if wording_path is not None and wording_path.is_file():
                wording = _load(LicensedWording, wording_path)
                try:
                    instrument = instrument.with_wording(wording)
                except ValueError as error:
                    raise ContentError(str(wording_path), str(error)) from None
            else:
                unavailable[instrument.id] = instrument.licence.unavailable_reason or ""
        instruments[instrument.id] = instrument
    if not instruments:
        raise ContentError(str(folder), "holds no instrument files")
    return instruments, unavailable


# END instruments loader


# --- cross-checks ------------------------------------------------------------------------


def check(catalog: Catalog) -> None:
    """Raise ContentError on the first reference that does not resolve."""
    known_sources = {source.id for source in catalog.bibliography.sources}
    # Metas first, by file: parts() carries only the first explainer file's meta.
    for file_name, meta in catalog.metas.items():
        for source_id in meta.sources:
            if source_id not in known_sources:
                raise ContentError(
                    f"{file_name}: meta.sources", f"source '{source_id}' is not in sources.yaml"
                )
    for name, part in catalog.parts():
        for path, source_id in iter_source_ids(part):
            if source_id not in known_sources:
                raise ContentError(
                    f"{_file_of(name, path)}: {path}",
                    f"source '{source_id}' is not in sources.yaml",
                )
    _check_unique_ids(catalog)
    _check_explainers(catalog)
    _check_intake(catalog)
    _check_outcomes(catalog)
    _check_alerts(catalog)
    _check_redecide(catalog)
    catalog.rules.check(
        reason_ids={reason.id for reason in catalog.rules.reasons},
    )


def _file_of(name: str, path: str) -> str:
    """The content file a part's ``path`` lies in: ``("explainers", "terms[3].meaning")`` is
    ``explainers/terms.yaml``, ``("instruments.phq9", ...)`` is ``instruments/phq9.yaml``."""
    if name == "explainers":
        return f"explainers/{path.split('.')[0].split('[')[0]}.yaml"
    return name.replace(".", "/") + ".yaml"


def _check_unique_ids(catalog: Catalog) -> None:
    groups: dict[str, list[str]] = {
        "sources.yaml: sources": [s.id for s in catalog.bibliography.sources],
        "explainers/conditions.yaml": [c.id for c in catalog.explainers.conditions],
        "explainers/treatments.yaml": [t.id for t in catalog.explainers.treatments],
        "explainers/options.yaml": [o.id for o in catalog.explainers.options],
        "explainers/ideas.yaml": [i.id for i in catalog.explainers.ideas],
        "explainers/terms.yaml": [t.id for t in catalog.explainers.terms],
        "evidence.yaml": [f.id for f in catalog.evidence.figures]
        + [r.id for r in catalog.evidence.relative],
    }
    for group, ids in groups.items():
        seen: set[str] = set()
        for item_id in ids:
            if item_id in seen:
                raise ContentError(group, f"id '{item_id}' is used twice")
            seen.add(item_id)


def _check_explainers(catalog: Catalog) -> None:
    from bothand.domain.vocab import CONDITIONS, OPTION_IDS

    explainers = catalog.explainers
    treatments = {t.id: t for t in explainers.treatments}
    missing_conditions = set(CONDITIONS) - {c.id for c in explainers.conditions}
    if missing_conditions:
        raise ContentError("explainers/conditions.yaml", f"missing {sorted(missing_conditions)}")
    missing_options = set(OPTION_IDS) - {o.id for o in explainers.options}
    if missing_options:
        raise ContentError("explainers/options.yaml", f"missing {sorted(missing_options)}")
    for condition in explainers.conditions:
        where = f"explainers/conditions.yaml: {condition.id}"
        for therapy_id in condition.first_line_therapies:
            if therapy_id not in treatments or treatments[therapy_id].kind != "therapy":
                raise ContentError(where, f"first_line_therapies: '{therapy_id}' is not a therapy")
        for medication_id in condition.medication_classes:
            if medication_id not in treatments or treatments[medication_id].kind != "medication":
                raise ContentError(
                    where, f"medication_classes: '{medication_id}' is not a medication"
                )
        for instrument_id in condition.instruments:
            if (
                instrument_id not in catalog.instruments
                and instrument_id not in catalog.unavailable
            ):
                raise ContentError(where, f"instruments: '{instrument_id}' is not an instrument")
        if (condition.without_treatment is None) == (condition.without_treatment_unknown is None):
            raise ContentError(
                where, "give exactly one of without_treatment, without_treatment_unknown"
            )


def _check_intake(catalog: Catalog) -> None:
    """Each questionnaire the intake asks exists and measures its condition, and every label
    the intake names is defined."""
    listed = {c.id: c.instruments for c in catalog.explainers.conditions}
    intake = catalog.intake
    for condition, instrument_ids in intake.questionnaires.items():
        for instrument_id in instrument_ids:
            if instrument_id not in listed.get(condition, ()):
                raise ContentError(
                    f"intake.yaml: questionnaires.{condition}",
                    f"'{instrument_id}' is not an instrument listed for {condition} "
                    "in explainers/conditions.yaml",
                )
    keys = [intake.age.label, intake.age.unsaid, *(c.label for c in intake.previous_episodes)]
    for key in keys:
        if key not in catalog.labels.text:
            raise ContentError("intake.yaml", f"label '{key}' is not defined in locales/en/")


def _check_outcomes(catalog: Catalog) -> None:
    """Every instrument a profile names is one the catalog has; every milestone kind a
    finding is made for is one the timeline uses."""
    kinds = {milestone.kind for milestone in catalog.timeline.milestones}
    for kind in catalog.outcomes.findings.milestone_kinds:
        if kind not in kinds:
            raise ContentError(
                "outcomes.yaml: findings.milestone_kinds",
                f"'{kind}' is not the kind of any milestone in timeline.yaml",
            )
    for profile in catalog.outcomes.profiles:
        for entry in profile.instruments:
            if entry.instrument not in catalog.instruments:
                raise ContentError(
                    f"outcomes.yaml: profiles.{profile.id}",
                    f"instrument '{entry.instrument}' is not in instruments/",
                )


def _check_alerts(catalog: Catalog) -> None:
    """Every milestone kind the alert rules name is one the timeline uses; every finding kind
    counted as too little has a reason; every reason has words in locales/en/."""
    where = "alerts.yaml"
    kinds = {milestone.kind for milestone in catalog.timeline.milestones}
    rules = catalog.alerts
    named = [("overdue.milestone_kinds", kind) for kind in rules.overdue.milestone_kinds] + [
        ("review_due.talks", talk.milestone_kind) for talk in rules.review_due.talks
    ]
    for path, kind in named:
        if kind not in kinds:
            raise ContentError(
                f"{where}: {path}", f"'{kind}' is not the kind of any milestone in timeline.yaml"
            )
    for finding in catalog.outcomes.findings.too_little:
        if finding not in rules.review_due.too_little:
            raise ContentError(
                f"{where}: review_due.too_little",
                f"give a reason for '{finding}' (outcomes.yaml counts it as too little)",
            )
    for reason in rules.reasons:
        if f"clinic.alerts.reason.{reason}" not in catalog.labels.text:
            raise ContentError(
                where, f"reason '{reason}' has no words (clinic.alerts.reason.{reason})"
            )


REDECIDE_PLACEHOLDERS = frozenset({"weeks", "condition"})


def _check_redecide(catalog: Catalog) -> None:
    """Every milestone kind a re-decision rule names is one the timeline uses; every reason
    fills only the placeholders a re-decision knows; no reason id is also a rule book
    reason (the two are shown side by side)."""
    import string

    kinds = {milestone.kind for milestone in catalog.timeline.milestones}
    redecide = catalog.redecide
    for rule in redecide.rules:
        for kind in rule.when.milestone_kinds or ():
            if kind not in kinds:
                raise ContentError(
                    f"redecide.yaml: {rule.id}",
                    f"milestone kind '{kind}' is not the kind of any milestone in timeline.yaml",
                )
    book = {reason.id for reason in catalog.rules.reasons}
    if redecide.replaces is not None:
        for replaced in (*redecide.replaces.medication, *redecide.replaces.therapy):
            if replaced not in book:
                raise ContentError(
                    "redecide.yaml: replaces", f"'{replaced}' is not a reason in rules.yaml"
                )
    for reason in redecide.reasons:
        if reason.id in book:
            raise ContentError(
                f"redecide.yaml: {reason.id}", "this reason id is also a reason in rules.yaml"
            )
        names = {name for _, name, _, _ in string.Formatter().parse(reason.text) if name}
        unknown = names - REDECIDE_PLACEHOLDERS
        if unknown:
            raise ContentError(
                f"redecide.yaml: {reason.id}",
                f"unknown placeholder {{{sorted(unknown)[0]}}}; use "
                + ", ".join(f"{{{p}}}" for p in sorted(REDECIDE_PLACEHOLDERS)),
            )
