import json
import pickle
import random
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from workshops.suggestion_evaluation import LabelledFileError, parse_labelled
from workshops.suggestions import NOTHING_TO_LEARN, SURE_AT, Example, group_repeats, train

LABELLED = Path(__file__).resolve().parents[1] / "data" / "labelled_workshops.json"

TRIAGED = [
    Example("Access to social media is blocked", "Infrastructure", "Blocked sites", "A"),
    Example("The firewall blocks Twitter", "Infrastructure", "Blocked sites", "A"),
    Example("Still on Internet Explorer 6", "Infrastructure", "Old browsers", "A"),
    Example("Managers need to lead by example", "Cultural change", "Lead by example", "A"),
    Example("Senior leaders see Twitter as a risk", "Cultural change", "Lead by example", "B"),
    Example("Guidance only says what is not allowed", "Empowerment", "Guidance", "B"),
    Example("Do we have permission to tweet?", "Empowerment", "Permission", "B"),
    Example("A digital champion in every team", "Training", "Champions", "C"),
    Example("A short course on using Twitter for work", "Training", "Courses", "C"),
    Example("YouTube is blocked in the office", "Infrastructure", "No access", "C"),
]


def test_suggestions_are_the_same_on_every_run_whatever_the_order_of_the_notes():
    shuffled = TRIAGED[:]
    random.Random(4).shuffle(shuffled)
    texts = ["Facebook is blocked on our laptops", "Nobody trains us", "Is tweeting allowed?"]

    first = train(TRIAGED).suggest(texts, workshop="A")
    second = train(shuffled).suggest(texts, workshop="A")

    assert [(s.area, s.confidence, s.theme, s.ranked) for s in first] == [
        (s.area, s.confidence, s.theme, s.ranked) for s in second
    ]


def test_a_note_identical_to_a_triaged_one_gets_its_area_and_theme():
    [suggestion] = train(TRIAGED).suggest(["The firewall blocks Twitter"], workshop="A")

    assert suggestion.area == "Infrastructure"
    assert suggestion.theme == "Blocked sites"
    assert suggestion.neighbours[0].text == "The firewall blocks Twitter"


def test_a_stored_and_loaded_model_suggests_exactly_as_the_trained_one():
    """The training job pickles the model; every server process loads it."""
    texts = ["Facebook is blocked on our laptops", "Nobody trains us", "Is tweeting allowed?"]
    model = train(TRIAGED)

    loaded = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))

    assert [(s.area, s.confidence, s.theme, s.because) for s in loaded.suggest(texts, "A")] == [
        (s.area, s.confidence, s.theme, s.because) for s in model.suggest(texts, "A")
    ]
    assert group_repeats(texts, loaded) == group_repeats(texts, model)


def test_a_theme_is_only_suggested_from_the_notes_own_workshop():
    [suggestion] = train(TRIAGED).suggest(["A digital champion in every team"], workshop="A")

    assert suggestion.area == "Training"
    assert suggestion.theme == ""


def test_with_nothing_triaged_nothing_is_suggested_and_it_says_so():
    [suggestion] = train([]).suggest(["Access to social media is blocked"])

    assert suggestion.area is None
    assert not suggestion.sure
    assert suggestion.label == NOTHING_TO_LEARN


def test_a_suggestion_is_sure_only_from_the_threshold_up():
    suggestions = train(TRIAGED).suggest(["The firewall blocks Twitter", "Lunch was nice"])

    assert all(s.sure == (s.confidence >= SURE_AT) for s in suggestions)


def test_repeats_are_gathered_across_typos_word_order_and_plus_ones():
    texts = [
        "Access to social media is blocked in my department",
        "access to social meda is blocked in my departmnet",
        "+1 to access to social media being blocked",
        "We need a digital champion in every team",
        "The canteen closes too early",
    ]

    assert group_repeats(texts) == [[0, 1, 2]]


def test_evaluate_suggestions_prints_the_figures_for_the_repo_file(capsys):
    call_command("evaluate_suggestions", str(LABELLED), "--json")

    figures = json.loads(capsys.readouterr().out)
    assert figures["notes"] >= 150
    for key in (
        "sure_share",
        "sure_accuracy",
        "top1_accuracy",
        "top2_accuracy",
        "repeats_precision",
        "repeats_recall",
        "recurring_top3",
    ):
        assert 0 <= figures[key] <= 1


def test_evaluate_suggestions_prints_readable_figures(capsys, tmp_path):
    small = json.loads(LABELLED.read_text())
    small["workshops"] = small["workshops"][:3]
    small["recurring_themes"] = []
    path = tmp_path / "small.json"
    path.write_text(json.dumps(small))

    call_command("evaluate_suggestions", str(path))

    out = capsys.readouterr().out
    assert "First area right when sure" in out
    assert "Repeats: pairwise precision" in out


def test_a_file_that_is_not_json_fails_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"workshops": [\n  {"title": "A",\n   "notes": [}\n]}')

    with pytest.raises(CommandError, match=r"line 3: not valid JSON"):
        call_command("evaluate_suggestions", str(path))


def test_a_note_with_an_unknown_area_fails_with_its_line_and_reason():
    source = (
        '{"workshops": [{"title": "A", "date": "2026-03-04",\n'
        '  "groups": [{"subject": "Barriers"}],\n'
        '  "notes": [\n'
        '    {"text": "Blocked", "group": "Barriers", "kind": "comment",\n'
        '     "area": "Infrastructure", "theme": "Blocked"},\n'
        '    {"text": "Odd", "group": "Barriers", "kind": "comment",\n'
        '     "area": "Catering", "theme": "Lunch"}]}]}'
    )

    with pytest.raises(LabelledFileError) as raised:
        parse_labelled(source)

    assert raised.value.line == 6
    assert "area 'Catering' is not one of" in raised.value.reason


def test_a_link_to_a_theme_that_is_not_labelled_fails_clearly():
    source = json.dumps(
        {
            "workshops": [
                {"title": "A", "groups": [], "notes": [{"text": "x", "area": "Training"}]}
            ],
            "recurring_themes": [{"name": "R", "themes": [{"workshop": "B", "theme": "T"}]}],
        }
    )

    with pytest.raises(LabelledFileError, match="no workshop 'B'"):
        parse_labelled(source)
