"""Customer feedback: hand-computed satisfaction on small files, every rejection with its place,
encodings, random files, and feedback on a real example blueprint."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stageline
from stageline.data.feedback import Feedback, FeedbackColumns, Response, read_feedback
from stageline.data.quality import Issue
from stageline.data.satisfaction import FeedbackFigures, add_satisfaction, comment_words, measure_feedback
from stageline.errors import DataError, SourceError, StageLineError
from stageline.metrics import Metrics, Satisfaction, Word, dumps_metrics, loads_metrics

ROOT = Path(__file__).parent.parent

BLUEPRINT = """\
stageline: 1
title: Repair
phases: [Intake, Fix]
steps:
  - id: report
    phase: intake
    evidence: [Fault form]
    customer:
      label: Customer reports a fault
      channel: web
    frontstage:
      id: log
      label: Agent logs the fault
      channel: phone
      evidence: [Ticket email]
  - id: fix
    name: Repair visit
    phase: fix
    customer:
      id: visit
      label: Customer lets the technician in
      channel: phone
      evidence: [Repair report, Invoice]
    backstage:
      id: repair
      label: Technician repairs
      evidence: [Repair report]
  - id: refund
    phase: fix
    backstage:
      id: refund
      label: Finance refunds
      evidence: [Invoice]
"""

#: Microseconds since 1970 UTC of 2024-03-01T09:00Z and a few hours later.
T9 = 1_709_283_600_000_000
HOUR = 3_600_000_000
OCCURRENCES = [
    ("C1", "log", T9),
    ("C1", "repair", T9 + 5 * HOUR),
    ("C2", "log", T9),
    # Two actions ending at the same moment: the one later in the blueprint counts.
    ("C2", "visit", T9 + 2 * HOUR),
    ("C2", "repair", T9 + 2 * HOUR),
    ("C2", "unknown-action", T9 + 3 * HOUR),
]


@pytest.fixture(scope="module")
def bp() -> stageline.Blueprint:
    return stageline.loads(BLUEPRINT)


def write(tmp_path: Path, text: str, name: str = "feedback.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(*lines: str, header: str = "action,step,touchpoint,case,csat,nps,ces,comment,time") -> str:
    return "\n".join([header, *lines]) + "\n"


HAND = rows(
    "log,,,,5,10,1,Quick and friendly agent,",
    ",report,,,2,,,The form was confusing,",
    ",,Repair report,,,6,,Report was late; the technician was friendly,",
    ",,invoice,,,,7,Invoice wrong,",
    ",,PHONE,,4,,,,",
    ",,,C1,3,,,,2024-03-01T11:00:00+01:00",
    ",,,C2,,9,,,",
)


def test_satisfaction_of_a_small_file_is_the_hand_computed_one(tmp_path: Path, bp: stageline.Blueprint) -> None:
    feedback = read_feedback(write(tmp_path, HAND))
    assert feedback.rows == 7 and len(feedback.responses) == 7 and not feedback.rejected
    assert feedback.cases == {"C1", "C2"}
    figures = measure_feedback(bp, feedback, OCCURRENCES)
    # log: rows 2 and 7 (case C1 answered at 10:00Z, after `log` at 9:00 and before `repair`).
    assert figures.actions["log"] == Satisfaction(
        responses=2,
        csat=4.0,
        nps=100.0,
        ces=1.0,
        emotion=1.0,  # row 2: CSAT 5, NPS 10, CES 1 all imply +2; row 7: CSAT 3 implies 0
        words=(Word(word="agent", count=1), Word(word="friendly", count=1), Word(word="quick", count=1)),
    )
    # Case C2 has no time: its last action, `repair` (tied with `visit`, later in the blueprint).
    assert figures.actions["repair"] == Satisfaction(responses=1, nps=100.0, emotion=1.6)
    assert list(figures.actions) == ["log", "repair"]
    report_words = tuple(Word(word=w, count=1) for w in ("agent", "confusing", "form", "friendly", "quick"))
    assert figures.steps["report"] == Satisfaction(
        responses=3, csat=3.333, nps=100.0, ces=1.0, emotion=0.333, words=report_words
    )
    # fix: the touchpoint `Repair report` both of its actions have (NPS 6), and case C2 (NPS 9).
    fix_words = tuple(Word(word=w, count=1) for w in ("friendly", "late", "report", "technician"))
    assert figures.steps["fix"] == Satisfaction(responses=2, nps=0.0, emotion=1.0, words=fix_words)
    assert list(figures.steps) == ["report", "fix"]
    assert figures.phases["intake"] == figures.steps["report"]
    # phase fix: also the invoice, in steps fix and refund of that phase (CES 7 implies -2).
    assert figures.phases["fix"] == Satisfaction(
        responses=3,
        nps=0.0,
        ces=7.0,
        emotion=0.0,
        words=tuple(Word(word=w, count=1) for w in ("friendly", "invoice", "late", "report", "technician", "wrong")),
    )
    # The service: everything, the phone (in two phases) only here.
    assert figures.service == Satisfaction(
        responses=7,
        csat=3.5,
        nps=33.333,  # 2 promoters, 1 detractor of 3
        ces=4.0,
        emotion=0.286,  # (2 - 1 + 0.4 - 2 + 1 + 0 + 1.6) / 7
        words=(
            Word(word="friendly", count=2),
            *(
                Word(word=w, count=1)
                for w in ("agent", "confusing", "form", "invoice", "late", "quick", "report", "technician", "wrong")
            ),
        ),
    )
    assert figures.curve == (("report", 0.333), ("fix", 1.0))
    q = figures.quality
    assert (q.rows, q.events, q.cases, q.rejected) == (7, 7, 2, ())
    assert q.notes == (
        Issue(
            "touchpoint.wide",
            "the touchpoint `Invoice` is in several steps; counted for the phase `fix` only",
            1,
            ("row 5, column `touchpoint`",),
        ),
        Issue(
            "touchpoint.wide",
            "the touchpoint `phone` is in several steps; counted for the service only",
            1,
            ("row 6, column `touchpoint`",),
        ),
    )
    assert q.first == q.last == "2024-03-01T10:00:00+00:00"
    assert figures.lines()[0] == f"{q.file}: 7 rows read, 7 responses kept, none rejected"


def test_touchpoints_match_evidence_channels_and_evidence_lane_labels(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = rows("fault FORM,4", "web,4", "ticket   email,4", header="touchpoint,csat")
    figures = measure_feedback(bp, read_feedback(write(tmp_path, text)))
    assert {a: s.responses for a, s in figures.actions.items()} == {
        "report.evidence": 1,
        "report.customer": 1,
        "log": 1,
    }
    assert figures.steps["report"].responses == 3


def test_a_step_is_linked_by_its_id_or_its_name(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = rows("fix,4", "repair visit,2", "refund,5", header="step,csat")
    figures = measure_feedback(bp, read_feedback(write(tmp_path, text)))
    assert figures.steps["fix"] == Satisfaction(responses=2, csat=3.0, emotion=0.0)
    assert figures.phases["fix"] == Satisfaction(responses=3, csat=3.667, emotion=0.667)
    assert not figures.actions


def test_ratings_map_onto_the_emotion_scale_linearly() -> None:
    assert Response(2, csat=1).emotion == -2 and Response(2, csat=5).emotion == 2
    assert Response(2, nps=0).emotion == -2 and Response(2, nps=5).emotion == 0 and Response(2, nps=10).emotion == 2
    assert Response(2, ces=1).emotion == 2 and Response(2, ces=4).emotion == 0 and Response(2, ces=7).emotion == -2
    assert Response(2, csat=5, ces=7).emotion == 0
    assert Response(2, comment="fine").emotion is None


def test_a_response_with_only_a_comment_counts_without_ratings(tmp_path: Path, bp: stageline.Blueprint) -> None:
    figures = measure_feedback(bp, read_feedback(write(tmp_path, rows("log,Slow slow SLOW", header="action,comment"))))
    assert figures.actions["log"] == Satisfaction(responses=1, words=(Word(word="slow", count=1),))
    assert figures.curve == ()


def test_the_ten_most_used_words_are_kept() -> None:
    assert comment_words("L'accueil était très bien, l'accueil!") == {"accueil", "bien"}
    assert comment_words("The customer’s wait, and I don't know why") == {"customer", "wait", "know"}
    assert comment_words("Schöne Größe, sehr gut. Cafe\u0301 x 42 b2b") == {"schöne", "größe", "gut", "café"}
    assert comment_words("De wachttijd was erg lang, het formulier niet") == {"wachttijd", "erg", "lang", "formulier"}
    assert comment_words("Il servizio è molto lento; el formulario es muy largo") == {
        "servizio",
        "lento",
        "formulario",
        "largo",
    }


def test_only_ten_words_are_listed_most_used_first(tmp_path: Path, bp: stageline.Blueprint) -> None:
    comments = ["alpha beta", "beta gamma", "beta"] + [f"w{c}" for c in "klmnopqrstuv"]
    text = "action,comment\n" + "".join(f"log,{c}\n" for c in comments)
    words = measure_feedback(bp, read_feedback(write(tmp_path, text))).service.words
    assert words[:2] == (Word(word="beta", count=3), Word(word="alpha", count=1))
    assert len(words) == 10 and [w.word for w in words[2:]] == ["gamma", "wk", "wl", "wm", "wn", "wo", "wp", "wq"]


# --- rejections ---------------------------------------------------------------------------

BAD = (
    rows(
        "log,,,,x,,,,",  # 2
        "log,,,,6,,,,",  # 3
        "log,,,,,ten,,,",  # 4
        "log,,,,,7.5,,,",  # 5
        "log,,,,,11,,,",  # 6
        "log,,,,,,easy,,",  # 7
        "log,,,,,,0,,",  # 8
        "log,,,,4,,,,yesterday",  # 9
        "log,,,,,,,,",  # 10
        ",,,,4,,,fine,",  # 11
        "lgo,,,,4,,,,",  # 12
        ",fxi,,,4,,,,",  # 13
        "log,fix,,,4,,,,",  # 14
        ",,fax,,4,,,,",  # 15
        ",,,C9,4,,,,",  # 16
        ",,,C1,4,,,,2024-03-01T08:00Z",  # 17
        "log,,,,4",  # 18: too few fields
        "",  # 19: blank
        "log,,,,4.5,0,7,good,2024-03-01",  # 20: kept
        "lgo,,,,4,,,,",  # 21
    )
    + "log,,,,4,,,caf\xe9,\n"
)  # 22: not UTF-8


def test_every_rejection_says_why_and_where(tmp_path: Path, bp: stageline.Blueprint) -> None:
    path = tmp_path / "feedback.csv"
    path.write_bytes(BAD.encode("latin-1"))
    feedback = read_feedback(path)
    assert feedback.rejected == (
        Issue(
            "encoding.comment",
            "column `comment` is not utf-8 text (give the file's encoding, e.g. `--encoding cp1252`)",
            1,
            ("row 22, column `comment`",),
        ),
        Issue("width.5", "has 5 fields, the header has 9", 1, ("row 18",)),
        Issue("blank", "blank row", 1, ("row 19",)),
        Issue("csat.bad", "the CSAT rating is not a number", 1, ("row 2, column `csat`",)),
        Issue("csat.range", "the CSAT rating is not from 1 to 5", 1, ("row 3, column `csat`",)),
        Issue("nps.bad", "the NPS rating is not a number", 1, ("row 4, column `nps`",)),
        Issue(
            "nps.range",
            "the NPS rating is not a whole number from 0 to 10",
            2,
            ("row 5, column `nps`", "row 6, column `nps`"),
        ),
        Issue("ces.bad", "the CES rating is not a number", 1, ("row 7, column `ces`",)),
        Issue("ces.range", "the CES rating is not from 1 to 7", 1, ("row 8, column `ces`",)),
        Issue(
            "time.bad",
            "the time cannot be read (expected ISO 8601, e.g. 2024-03-01T14:30+01:00)",
            1,
            ("row 9, column `time`",),
        ),
        Issue("empty", "no rating and no comment", 1, ("row 10",)),
        Issue(
            "link.missing", "no link to the blueprint (`action`, `step`, `touchpoint`, `case` empty)", 1, ("row 11",)
        ),
    )
    assert feedback.notes == (
        Issue("time.date", "the time is a date alone; read as the end of that day, UTC", 1, ("row 20, column `time`",)),
    )
    assert [r.row for r in feedback.responses] == [12, 13, 14, 15, 16, 17, 20, 21]
    figures = measure_feedback(bp, feedback, OCCURRENCES)
    q = figures.quality
    assert q.rejected[: len(feedback.rejected)] == feedback.rejected
    assert q.rejected[len(feedback.rejected) :] == (
        Issue(
            "action.unknown",
            "no action `lgo` in the blueprint; did you mean `log`?",
            2,
            ("row 12, column `action`", "row 21, column `action`"),
        ),
        Issue("step.unknown", "no step `fxi` in the blueprint; did you mean `fix`?", 1, ("row 13, column `step`",)),
        Issue(
            "link.conflict",
            "the action and the step disagree: `log` is in step `report`",
            1,
            ("row 14, column `step`",),
        ),
        Issue("touchpoint.unknown", "no action has the touchpoint `fax`", 1, ("row 15, column `touchpoint`",)),
        Issue(
            "case.unknown",
            "the case has no event of the blueprint's actions in the log",
            1,
            ("row 16, column `case`",),
        ),
        Issue("case.early", "given before the case's first event in the log", 1, ("row 17, column `time`",)),
    )
    assert (q.rows, q.events, q.rejected_rows) == (21, 1, 20)
    assert figures.service == Satisfaction(
        responses=1, csat=4.5, nps=-100.0, ces=7.0, emotion=-0.833, words=(Word(word="good", count=1),)
    )
    assert figures.lines()[0].endswith(": 21 rows read, 1 response kept, 20 rows rejected")
    assert (
        "  rejected 2 rows: no action `lgo` in the blueprint; did you mean `log`? (row 12, column `action`; row 21, column `action`)"
        in figures.lines()
    )


def test_responses_linked_by_case_need_the_log(tmp_path: Path, bp: stageline.Blueprint) -> None:
    feedback = read_feedback(write(tmp_path, rows("C1,4", "C2,5", header="case,csat")))
    with pytest.raises(DataError) as info:
        measure_feedback(bp, feedback)
    [problem] = info.value.problems
    assert problem.code == "data.empty"
    assert (
        "2 rows: linked by case id, but no event log was given (row 2, column `case`; row 3, column `case`)"
        in problem.message
    )


def test_occurrences_may_be_mappings_as_the_engine_gives_them(tmp_path: Path, bp: stageline.Blueprint) -> None:
    feedback = read_feedback(write(tmp_path, rows("C1,4,2024-03-01T15:00:00+01:00", header="case,csat,time")))
    occ = [{"case_id": c, "action": a, "end_us": e, "begin_us": None} for c, a, e in OCCURRENCES]
    occ.append({"case_id": "C1", "action": "visit", "end_us": None})
    figures = measure_feedback(bp, feedback, iter(occ))
    assert list(figures.actions) == ["repair"]


def test_unknown_values_are_named_one_by_one_up_to_a_limit(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = "action,csat\n" + "".join(f"x{i},4\n" for i in range(25)) + "log,4\n"
    q = measure_feedback(bp, read_feedback(write(tmp_path, text))).quality
    named = [i for i in q.rejected if i.message.startswith("no action")]
    assert len(named) == 20 and all(i.count == 1 for i in named)
    assert q.rejected[-1] == Issue(
        "action.unknown",
        "an action the blueprint does not have",
        5,
        tuple(f"row {r}, column `action`" for r in range(22, 27)),
    )


def test_an_action_and_a_step_given_together_must_agree(tmp_path: Path, bp: stageline.Blueprint) -> None:
    figures = measure_feedback(bp, read_feedback(write(tmp_path, rows("log,Report,4", header="action,step,csat"))))
    assert list(figures.actions) == ["log"]


# --- times ---------------------------------------------------------------------------------


def test_times_are_read_as_iso_8601(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = rows(
        "log,4,2024-03-01T10:00:00+01:00",
        "log,4,2024-03-01 10:00",
        "log,4,2024-03-02",
        "log,4,2024-03-01T10:00:00.5Z",
        header="action,csat,time",
    )
    feedback = read_feedback(write(tmp_path, text))
    assert [r.time_us for r in feedback.responses] == [T9, T9 + HOUR, T9 + 39 * HOUR - 1, T9 + HOUR + 500_000]
    assert feedback.notes == (
        Issue("offset.none", "the time has no offset; read as UTC", 1, ("row 3, column `time`",)),
        Issue("time.date", "the time is a date alone; read as the end of that day, UTC", 1, ("row 4, column `time`",)),
    )
    q = measure_feedback(bp, feedback).quality
    assert (q.first, q.last) == ("2024-03-01T09:00:00+00:00", "2024-03-02T23:59:59.999999+00:00")
    assert [n.code for n in q.notes] == ["offset.none", "time.date"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("9999-12-31", True),  # the end of that day is still a datetime
        ("0001-01-01T00:00+14:00", False),  # before the year 1 in UTC
        ("2024-02-30", False),
        ("10:00", False),
        ("1 March 2024", False),
    ],
)
def test_times_at_the_edges(tmp_path: Path, text: str, kept: bool) -> None:
    feedback = read_feedback(write(tmp_path, rows(f"log,4,{text}", "log,4,", header="action,csat,time")))
    assert len(feedback.responses) == 1 + kept
    assert [i.code for i in feedback.rejected] == ([] if kept else ["time.bad"])


# --- columns, files and encodings ----------------------------------------------------------


def test_columns_are_found_by_their_common_names(tmp_path: Path) -> None:
    header = (
        "Response ID,Ticket ID,Submitted At,Satisfaction,Likelihood to recommend,Customer Effort,Verbatim,Touchpoint"
    )
    feedback = read_feedback(write(tmp_path, header + "\nr1,T1,2024-03-01,4,9,2,ok,web\n"))
    assert feedback.columns == FeedbackColumns(
        csat="Satisfaction",
        nps="Likelihood to recommend",
        ces="Customer Effort",
        comment="Verbatim",
        touchpoint="Touchpoint",
        case="Ticket ID",
        time="Submitted At",
    )
    assert feedback.quality.columns == feedback.columns.mapped()


def test_given_columns_win_over_detected_ones(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = "where,score,csat\nlog,2,5\n"
    feedback = read_feedback(write(tmp_path, text), FeedbackColumns(action="where", csat="score"))
    assert feedback.responses == (Response(row=2, csat=2.0, action="log"),)


@pytest.mark.parametrize(
    ("text", "columns", "message", "hint"),
    [
        ("name,when\nx,y\n", None, "no column of ratings or comments", "the file's columns are `name`, `when`"),
        (
            "csat,comment\n4,x\n",
            None,
            "no column linking it to the blueprint",
            "the file's columns are `csat`, `comment`",
        ),
        ("csat,action\n4,x\n", FeedbackColumns(nps="NPS score"), "no column `NPS score` for the nps", None),
        (
            "score,action\n4,x\n",
            FeedbackColumns(csat="scores"),
            "no column `scores`",
            "did you mean `score`? the feedback's columns are `score`, `action`",
        ),
    ],
)
def test_missing_columns_are_located_errors(
    tmp_path: Path, text: str, columns: FeedbackColumns | None, message: str, hint: str | None
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        read_feedback(path, columns)
    [problem] = info.value.problems
    assert problem.code == "data.column" and message in problem.message
    assert (problem.location.file, problem.location.line, problem.location.column) == (str(path), 1, 1)
    if hint:
        assert problem.hint == hint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty: expected a header row"),
        ("action,csat\n", "the feedback has no responses, only a header row"),
        ("action,csat\nlog,9\n", "no response of the feedback can be used: 1 row: the CSAT rating is not from 1 to 5"),
    ],
)
def test_empty_files_are_located_errors(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError) as info:
        read_feedback(path)
    assert info.value.problems[0].code == "data.empty"
    assert info.value.problems[0].message.startswith(message)
    assert info.value.problems[0].location.file == str(path)


def test_a_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        read_feedback(tmp_path / "nothing.csv")


def test_no_linkable_response_is_a_located_error(tmp_path: Path, bp: stageline.Blueprint) -> None:
    path = write(tmp_path, rows("nope,4", header="action,csat"))
    with pytest.raises(DataError) as info:
        measure_feedback(bp, read_feedback(path))
    [problem] = info.value.problems
    assert problem.location.file == str(path)
    assert problem.message == (
        "no response of the feedback can be linked to the blueprint: 1 row: no action `nope` in the blueprint "
        "(row 2, column `action`)"
    )


def test_other_encodings_are_read_when_given(tmp_path: Path, bp: stageline.Blueprint) -> None:
    text = rows("log,4,Très bien, le café", "log,5,ok", header="action,csat,comment").replace(
        "Très bien, le café", '"Très bien, le café"'
    )
    path = write(tmp_path, text, encoding="cp1252")
    default = read_feedback(path)
    assert [r.row for r in default.responses] == [3]
    assert default.rejected == (
        Issue(
            "encoding.comment",
            "column `comment` is not utf-8 text (give the file's encoding, e.g. `--encoding cp1252`)",
            1,
            ("row 2, column `comment`",),
        ),
    )
    given_encoding = read_feedback(path, encoding="cp1252")
    assert not given_encoding.rejected
    assert given_encoding.responses[0].comment == "Très bien, le café"
    words = measure_feedback(bp, given_encoding).service.words
    assert {w.word for w in words} == {"bien", "café", "ok"}


def test_bytes_that_are_not_text_in_unused_columns_cost_nothing(tmp_path: Path) -> None:
    path = tmp_path / "feedback.csv"
    path.write_bytes(b"action,csat,notes\nlog,4,\xff\xfe\n")
    assert len(read_feedback(path).responses) == 1


def test_a_utf8_bom_tabs_and_semicolons(tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffaction,csat\nlog,4\n".encode())
    assert read_feedback(bom).columns == FeedbackColumns(csat="csat", action="action")
    tsv = write(tmp_path, "action\tcsat\tcomment\nlog\t4\ta, b\n", name="feedback.tsv")
    assert read_feedback(tsv).responses[0].comment == "a, b"
    semi = write(tmp_path, "action;csat\nlog;4,5\n")
    assert read_feedback(semi, delimiter=";").responses[0].csat == 4.5


def test_a_header_that_is_not_text_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "feedback.csv"
    path.write_bytes(b"action,caf\xe9\nlog,4\n")
    with pytest.raises(DataError) as info:
        read_feedback(path)
    assert info.value.problems[0].code == "data.encoding"
    assert read_feedback(path, encoding="latin-1", columns=FeedbackColumns(csat="café")).responses[0].csat == 4


# --- into the metrics ----------------------------------------------------------------------


def test_satisfaction_joins_the_metrics_and_reads_back(tmp_path: Path, bp: stageline.Blueprint) -> None:
    figures = measure_feedback(bp, read_feedback(write(tmp_path, HAND)), OCCURRENCES)
    metrics = add_satisfaction(bp, Metrics(kind="measured", blueprint=bp.title, sources=("log.csv",)), figures)
    assert metrics.sources == ("log.csv", figures.quality.file)
    assert list(metrics.actions) == ["log", "repair"]
    assert metrics.actions["log"].events == 0 and metrics.actions["log"].satisfaction == figures.actions["log"]
    assert metrics.steps["fix"].satisfaction == figures.steps["fix"]
    assert metrics.phases["intake"].satisfaction == figures.phases["intake"]
    assert metrics.service is not None and metrics.service.satisfaction == figures.service
    assert loads_metrics(dumps_metrics(metrics)) == metrics
    again = add_satisfaction(bp, metrics, figures)
    assert again.sources == metrics.sources and again.actions == metrics.actions


# --- random files --------------------------------------------------------------------------

#: Values each column of a random file draws from, good ones more often than not.
VALUES = {
    "action": ("log", "visit", "repair", "lgo", "report.evidence"),
    "step": ("report", "fix", "Repair visit", "refnd", "REFUND"),
    "touchpoint": ("phone", "Invoice", "web", "repair report", "fax"),
    "case": ("C1", "C2", "C3"),
    "csat": ("1", "3", "5", "4.5", "6", "0", "x"),
    "nps": ("0", "6", "8", "10", "7.5", "11", "-1"),
    "ces": ("1", "4", "7", "2,5", "8"),
    "comment": ("Slow and rude", "Très bien!", "l'accueil", "", "x y z"),
    "time": ("2024-03-01", "2024-03-01T10:00:00+01:00", "2024-03-01 12:00", "9999-12-31", "0001-01-01T00:00+14:00"),
}
ANY = st.one_of(st.just(""), st.text(max_size=8), st.sampled_from(["nan", "1e3", "1_0", "\u0663", " 4 "]))


@st.composite
def feedback_files(draw: st.DrawFn) -> bytes:
    """A CSV with a rating or comment column and a link column most of the time, mostly good values."""
    chosen = draw(st.lists(st.sampled_from(["csat", "nps", "ces", "comment"]), min_size=1, max_size=3, unique=True))
    chosen += draw(
        st.lists(st.sampled_from(["action", "step", "touchpoint", "case"]), min_size=1, max_size=3, unique=True)
    )
    chosen += draw(st.lists(st.sampled_from(["time", "other", "", "rating", "csat"]), max_size=2))
    header = draw(st.permutations(chosen)) or ["other"]
    body = []
    for _ in range(draw(st.integers(1, 10))):
        if draw(st.integers(0, 5)) == 0:  # a row of any width
            body.append(draw(st.lists(ANY, max_size=len(header) + 1)))
            continue
        good = (st.sampled_from(VALUES[h]) if h in VALUES else ANY for h in header)
        body.append([draw(ANY if draw(st.integers(0, 5)) == 0 else g) for g in good])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    data = out.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\n", b'"', b"\r\n", b"\x00", b"\xe9"])) + data[at:]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=feedback_files(), encoding=st.sampled_from(["utf-8", "latin-1"]))
def test_random_files_never_raise_anything_but_stageline_errors(data: bytes, encoding: str) -> None:
    bp = stageline.loads(BLUEPRINT)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "feedback.csv"
        path.write_bytes(data)
        try:
            feedback = read_feedback(path, encoding=encoding)
        except StageLineError:
            return
        assert feedback.rows == len(feedback.responses) + sum(i.count for i in feedback.rejected)
        try:
            figures = measure_feedback(bp, feedback, OCCURRENCES)
        except StageLineError:
            return
        q = figures.quality
        assert q.rows == feedback.rows == q.events + q.rejected_rows
        assert figures.service.responses == q.events
        for s in (figures.service, *figures.actions.values(), *figures.steps.values(), *figures.phases.values()):
            assert s.csat is None or 1 <= s.csat <= 5
            assert s.nps is None or -100 <= s.nps <= 100
            assert s.emotion is None or -2 <= s.emotion <= 2
            assert len(s.words) <= 10


# --- a real example ------------------------------------------------------------------------


def test_feedback_on_the_help_desk_example(tmp_path: Path) -> None:
    bp = stageline.load(ROOT / "examples" / "help-desk.yaml")
    text = rows(
        "take-charge.customer,,,,5,,,The specialist called me back quickly,",
        ",resolve,,,4,8,,Solved but the instructions were long,",
        ",,Support portal ticket form,,2,,6,The module list is far too long,",
        ",,Video,,,10,,Remote session was great,",
        ",,phone,,3,,,,",
        ",,,T-17,1,2,,Still waiting,2013-02-01T12:00:00+01:00",
        ",,,T-17,4,,,,",
        ",,,T-99,5,,,,",
    )
    occurrences = [
        ("T-17", "open-ticket.frontstage", 1_359_000_000_000_000),  # 2013-01-24
        ("T-17", "take-charge.frontstage", 1_359_500_000_000_000),  # 2013-01-29
        ("T-17", "wait-info.frontstage", 1_359_900_000_000_000),  # 2013-02-03
    ]
    figures = measure_feedback(bp, read_feedback(write(tmp_path, text)), occurrences)
    assert {a: (s.responses, s.csat) for a, s in figures.actions.items()} == {
        "open-ticket.evidence": (1, 2.0),
        "take-charge.customer": (1, 5.0),
        "take-charge.frontstage": (1, 1.0),  # answered on 1 February, before the wait for details
        "wait-info.frontstage": (1, 4.0),  # no time: the case's last action
    }
    assert figures.steps["intervention"] == Satisfaction(
        responses=1,
        nps=100.0,
        emotion=2.0,
        words=(Word(word="great", count=1), Word(word="remote", count=1), Word(word="session", count=1)),
    )
    assert figures.steps["take-charge"] == Satisfaction(
        responses=2,
        csat=3.0,
        nps=-100.0,
        emotion=0.2,  # +2 and the mean of -2 (CSAT 1) and -1.2 (NPS 2)
        words=tuple(Word(word=w, count=1) for w in ("back", "called", "quickly", "specialist", "waiting")),
    )
    assert figures.steps["resolve"] == Satisfaction(
        responses=1,
        csat=4.0,
        nps=0.0,
        emotion=1.1,
        words=tuple(Word(word=w, count=1) for w in ("instructions", "long", "solved")),
    )
    assert figures.phases["diagnose"].responses == 4  # take-charge (2), intervention, wait-info
    assert figures.phases["report"] == Satisfaction(
        responses=1,
        csat=2.0,
        ces=6.0,
        emotion=-1.167,  # the mean of -1 (CSAT 2) and -4/3 (CES 6)
        words=tuple(Word(word=w, count=1) for w in ("far", "list", "long", "module")),
    )
    assert [s for s, _ in figures.curve] == ["open-ticket", "take-charge", "wait-info", "intervention", "resolve"]
    assert figures.service.responses == 7 and figures.service.csat == 3.167
    assert figures.service.words[0] == Word(word="long", count=2)
    q = figures.quality
    assert q.rejected == (
        Issue(
            "case.unknown",
            "the case has no event of the blueprint's actions in the log",
            1,
            ("row 9, column `case`",),
        ),
    )
    assert [n.code for n in q.notes] == ["touchpoint.wide"]
    assert isinstance(figures, FeedbackFigures) and isinstance(read_feedback(write(tmp_path, text)), Feedback)
