"""Properties of the re-decision over random first cases, options and findings (Hypothesis).

- The re-read case keeps everything the review point did not teach: preferences, readiness,
  age, earlier episodes, the other concerns.
- What the chosen option tried is marked as not having helped enough (OCD's medicine is not
  judged before week 12), and nothing that was not tried is.
- The real engine on the re-read case still shows all six options, each with a reason, every
  reason with a known source; every option says the fit it had at the first decision.
- The same inputs give the same re-decision, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bothand import services
from bothand.catalog import Catalog
from bothand.domain.review.finding import Finding
from bothand.domain.track.progress import Score
from bothand.domain.vocab import CONDITIONS, OPTION_IDS, PREFERENCES, SEVERITIES
from bothand.services.redecide import redecide

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = dt.date(2026, 1, 5)
MEDICINE = {"medication", "medication_first", "combined"}
THERAPY = {"therapy", "therapy_first", "combined"}

first_cases = st.fixed_dictionaries(
    {
        "concerns": st.lists(
            st.fixed_dictionaries(
                {"condition": st.sampled_from(CONDITIONS), "severity": st.sampled_from(SEVERITIES)}
            ),
            min_size=1,
            max_size=2,
            unique_by=lambda c: c["condition"],
        ),
        "preferences": st.fixed_dictionaries(
            {"medication": st.sampled_from(PREFERENCES), "therapy": st.sampled_from(PREFERENCES)}
        ),
        "able_to_engage_in_therapy": st.booleans(),
        "history": st.fixed_dictionaries(
            {"previous_episodes": st.integers(0, 3)},
        ),
        "age": st.integers(18, 80),
    }
)
findings = st.builds(
    lambda kind, instrument, baseline, change, weeks: (kind, instrument, baseline, change, weeks),
    st.sampled_from(["no_reliable_change", "worse"]),
    st.sampled_from(["phq9", "gad7", "pcl5", "wsas"]),
    st.integers(5, 20),
    st.integers(-2, 8),
    st.integers(0, 30),
)


def _finding(kind: str, instrument: str, baseline: int, change: int, weeks: int) -> Finding:
    return Finding(
        milestone="milestone.check_progress",
        kind=kind,  # type: ignore[arg-type]
        too_little=True,
        instrument=instrument,
        profile="nhs_talking_therapies",
        threshold=6,
        baseline=Score(baseline, START),
        latest=Score(baseline + change, START + dt.timedelta(weeks=weeks)),
        change=change,
        weeks=weeks,
    )


@SETTINGS
@given(case=first_cases, option=st.sampled_from(OPTION_IDS), found=findings)
def test_a_redecision_keeps_what_was_not_learned(
    catalog: Catalog, case: dict[str, Any], option: str, found: tuple[Any, ...]
) -> None:
    first = {"case": case, "recommendation": services.recommend(catalog, case)}
    finding = _finding(*found)
    body = redecide(catalog, first, option, finding, "check_progress")
    again = body["case"]
    for key in ("preferences", "able_to_engage_in_therapy", "age"):
        assert again[key] == case[key], key
    assert again["history"]["previous_episodes"] == case["history"]["previous_episodes"]
    assert [c["condition"] for c in again["concerns"]] == [c["condition"] for c in case["concerns"]]
    concern = body["learned"]["concern"]
    ocd_too_soon = concern == "ocd" and finding.weeks < 12
    medicine = "did_not_help" if option in MEDICINE and not ocd_too_soon else "not_tried"
    therapy = "did_not_help" if option in THERAPY else "not_tried"
    assert again["history"]["medication"] == medicine
    assert again["history"]["therapy"] == therapy
    known = {source.id for source in catalog.bibliography.sources}
    first_fits = {o["id"]: o["fit"] for o in first["recommendation"]["options"]}
    assert [o["id"] for o in body["options"]] == list(OPTION_IDS)
    for shown in body["options"]:
        assert shown["was"] == first_fits[shown["id"]]
        assert shown["reasons"]
        assert all(r["sources"] and set(r["sources"]) <= known for r in shown["reasons"])
    assert body["changes"] and all(set(c["sources"]) <= known for c in body["changes"])
    again_body = redecide(catalog, first, option, finding, "check_progress")
    assert json.dumps(again_body, sort_keys=True) == json.dumps(body, sort_keys=True)
