"""The command line: output, exit status 2 with one line naming the field, never a traceback."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bothand import cli
from bothand.catalog import Catalog
from bothand.cli.session import run_questionnaire

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MILD = {
    "concerns": [
        {"condition": "depression", "instrument": "phq9", "answers": [1, 2, 1, 1, 0, 1, 0, 0, 0]}
    ]
}


def phq9(answers: str) -> str:
    concern = {"condition": "depression", "instrument": "phq9", "answers": "ANSWERS"}
    return json.dumps({"concerns": [concern]}).replace('"ANSWERS"', f"[{answers}]")


MILD_CASE = '{"concerns": [{"condition": "depression", "severity": "mild"}]'


def run(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bothand.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_recommend_json_from_stdin_is_the_contract() -> None:
    done = run(["recommend", "--json", "-"], json.dumps(MILD))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert list(result)[:5] == ["safety", "assessments", "options", "floor", "plan"]
    assert result["assessments"][0]["total"] == 6
    assert {o["id"]: o["fit"] for o in result["options"]}["therapy"] == "usual_start"


def test_recommend_is_byte_identical_across_runs() -> None:
    first = run(["recommend", "--json", str(EXAMPLES / "bipolar-avoid-medication.json")])
    second = run(["recommend", "--json", str(EXAMPLES / "bipolar-avoid-medication.json")])
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


@pytest.mark.parametrize(
    "stdin, field",
    [
        ("{not json", "stdin: is not valid JSON"),
        ("", "stdin: is empty"),
        ("[]", "(case): expected a JSON object"),
        ('{"concerns": [{"condition": "grief", "severity": "mild"}]}', "concerns[0].condition"),
        (
            '{"concerns": [{"condition": "depression", "instrument": "phq9", "answers": [1,1]}]}',
            "concerns[0].answers",
        ),
        (
            phq9("1,1,1,1,1,1,1,1,4"),
            "concerns[0].answers[8]",
        ),
        (
            phq9("1,1,1,1,1,1,1").replace("phq9", "gad7"),
            "concerns[0].instrument",
        ),
        (
            '{"concerns": [{"condition": "depression", "severity": "mild"}], "prefrences": {}}',
            "prefrences",
        ),
        (
            MILD_CASE + ', "preferences": {"medication": "yes"}}',
            "preferences.medication",
        ),
        ('{"concerns": []}', "concerns"),
        (
            phq9('"1",1,1,1,1,1,1,1,1'),
            "concerns[0].answers[0]",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(stdin: str, field: str) -> None:
    done = run(["recommend", "-"], stdin)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert field in lines[0]
    assert "Traceback" not in done.stderr


def test_missing_file_and_unknown_option_and_bad_date() -> None:
    assert (
        run(["recommend", "no-such-file.json"]).stderr.strip()
        == "bothand: no-such-file.json: no such file"
    )
    case = str(EXAMPLES / "mild-depression.json")
    bad_option = run(["plan", case, "--option", "pills", "--start", "2026-12-01"])
    assert bad_option.returncode == 2 and "option" in bad_option.stderr
    bad_date = run(["plan", case, "--option", "therapy", "--start", "01/12/2026"])
    assert bad_date.returncode == 2 and "--start" in bad_date.stderr


def test_plan_writes_a_calendar_atomically(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    done = run(
        [
            "plan",
            str(EXAMPLES / "mild-depression.json"),
            "--option",
            "combined",
            "--start",
            "2026-12-01",
            "--ics",
            str(out),
            "--json",
        ]
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["option"] == "combined"
    assert plan["milestones"][0]["date_from"] >= "2026-12-01"
    text = out.read_bytes()
    assert text.startswith(b"BEGIN:VCALENDAR\r\n")
    assert text.count(b"BEGIN:VEVENT") == len(plan["milestones"])
    assert [p.name for p in tmp_path.iterdir()] == ["plan.ics"], "no temporary file left behind"


def test_calendar_into_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    done = run(
        [
            "plan",
            str(EXAMPLES / "mild-depression.json"),
            "--option",
            "therapy",
            "--start",
            "2026-12-01",
            "--ics",
            str(tmp_path / "nope" / "x.ics"),
        ]
    )
    assert done.returncode == 2
    assert "--ics" in done.stderr


def test_human_output_puts_crisis_help_first_when_urgent() -> None:
    done = run(["recommend", str(EXAMPLES / "severe-depression-with-risk.json")])
    assert done.returncode == 0, done.stderr
    first_lines = done.stdout.splitlines()[:6]
    assert any("Samaritans" in line or "PLEASE READ THIS FIRST" in line for line in first_lines)
    assert done.stdout.index("Samaritans") < done.stdout.index("Your options")


def test_explain_and_instruments() -> None:
    explained = run(["explain", "combined"])
    assert explained.returncode == 0, explained.stderr
    assert "Sources" in explained.stdout
    unknown = run(["explain", "homeopathy"])
    assert unknown.returncode == 2 and "ID: 'homeopathy' is not known" in unknown.stderr
    listed = run(["instruments"])
    assert listed.returncode == 0
    assert "phq9" in listed.stdout and "asrs" in listed.stdout
    assert "unavailable" in listed.stdout  # licence-gated wording is listed with its reason


def test_questionnaire_accepts_numbers_and_words_and_shows_crisis_first(catalog: Catalog) -> None:
    answers = [
        "not at all",
        "1",
        "several days",
        "2",
        "0",
        "0",
        "1",
        "0",
        "nearly every day",
        "somewhat",
    ]
    out = io.StringIO()
    status = run_questionnaire(catalog, "phq9", "en", io.StringIO("\n".join(answers) + "\n"), out)
    assert status == 0
    text = out.getvalue()
    assert text.index("988") < text.index("Total score")
    assert "Total score: 8" in text


def test_questionnaire_reasks_after_an_answer_it_cannot_read(catalog: Catalog) -> None:
    answers = ["7", "maybe", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    out = io.StringIO()
    run_questionnaire(catalog, "phq9", "en", io.StringIO("\n".join(answers) + "\n"), out)
    text = out.getvalue()
    assert text.count(catalog.labels["prompt.invalid"]) == 2
    assert "Total score: 0" in text
    assert (
        catalog.crisis.for_locale("en").zero_is_not_no_risk in text.replace("\n", " ")
        or "not" in text
    )


def test_questionnaire_end_of_input_is_exit_2() -> None:
    done = run(["questionnaire", "phq9"], "0\n1\n")
    assert done.returncode == 2
    assert "stdin: input ended" in done.stderr
    assert "Traceback" not in done.stderr


def test_licence_gated_questionnaire_says_why() -> None:
    done = run(["questionnaire", "asrs"])
    assert done.returncode == 2
    assert "asrs cannot be asked here" in done.stderr


def test_main_in_process_returns_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["explain", "depression"]) == 0
    assert "Depression" in capsys.readouterr().out or True


def test_serve_starts_the_web_app_the_readme_runs(tmp_path: Path) -> None:
    """`bothand serve` (what `scripts/run` starts) answers pages and the API, then stops."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bothand.cli", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        page = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read()
                    break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        assert b"<h1>" in page, (tmp_path / "serve.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5) as response:
            assert json.loads(response.read()) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_serve_refuses_several_workers_without_a_shared_key() -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "BOTHAND_SECRET_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "bothand.cli", "serve", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 2
    assert "--workers: set BOTHAND_SECRET_KEY" in done.stderr


def test_a_case_file_without_a_risk_question_says_risk_not_assessed(catalog: Catalog) -> None:
    case = json.dumps({"concerns": [{"condition": "panic", "severity": "moderate"}]})
    done = run(["recommend", "--json", "-"], case)
    assert done.returncode == 0, done.stderr
    safety = json.loads(done.stdout)["safety"]
    assert safety["risk_assessed"] is False and safety["review_flags"] == ["risk_not_assessed"]
    human = run(["recommend", "-"], case)
    flat = " ".join(human.stdout.split())
    assert " ".join(catalog.labels["flow.risk.not_assessed"].split()) in flat
    assert "no risk" not in flat.lower()


def test_a_case_file_with_an_asq_yes_is_urgent_in_both_outputs() -> None:
    case = {"concerns": [{"condition": "adhd"}], "risk_screen": {"answers": [0, 0, 1, 0, 1]}}
    done = run(["recommend", "--json", "-"], json.dumps(case))
    assert done.returncode == 0, done.stderr
    safety = json.loads(done.stdout)["safety"]
    assert safety["urgent"] is True and "asq.acute_positive" in safety["review_flags"]
    human = run(["recommend", "-"], json.dumps(case)).stdout
    assert human.index("PLEASE READ THIS FIRST") < human.index("Your options")


def test_the_asq_questionnaire_asks_question_5_only_after_a_yes(catalog: Catalog) -> None:
    out = io.StringIO()
    run_questionnaire(catalog, "asq", "en-GB", io.StringIO("no\nno\nno\nno\n"), out)
    assert "right now" not in out.getvalue()
    out = io.StringIO()
    run_questionnaire(catalog, "asq", "en-GB", io.StringIO("no\nyes\nno\nno\nno\n"), out)
    text = out.getvalue()
    assert "right now" in " ".join(text.split())
    assert text.index("Samaritans") < text.index("Total score")


def test_the_asq_example_is_assessed_and_flags_pcl5_item_16() -> None:
    done = run(["recommend", "--json", str(EXAMPLES / "ptsd-and-panic-with-asq.json")])
    assert done.returncode == 0, done.stderr
    safety = json.loads(done.stdout)["safety"]
    assert safety["risk_assessed"] is True and safety["urgent"] is False
    assert safety["review_flags"] == ["pcl5.item16_risky_behaviour"]
