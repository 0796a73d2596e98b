"""Reading chats: canonical files, ESConv and surveys — pseudonymised, bad input named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kraftsamling.chat import (
    MoodEstimator,
    ProblemTypeClassifier,
    SentimentClassifier,
    read_canonical,
    read_esconv,
    read_survey,
    seeker_text,
)
from kraftsamling.privacy import Pseudonymization, Pseudonymizer
from kraftsamling.tabular import ReadError, ValidationFailed

CANONICAL = (
    "conversation_id;role;timestamp;text;volunteer_id\n"
    "c1;volunteer;2026-03-01T21:02:00+01:00;Hej, vad vill du prata om?;v7\n"
    "c1;seeker;2026-03-01T21:01:00+01:00;Jag heter Sara Lind och mår dåligt;\n"
    "c2;seeker;2026-03-02T10:00:00Z;Jag är så ensam sedan flytten;\n"
    "c1;seeker;2026-03-01T21:10:00+01:00;Tack, det hjälpte;\n"
)


@pytest.fixture
def privacy() -> Pseudonymization:
    return Pseudonymization.with_default_recognizers(b"test")


@pytest.fixture
def tagger(privacy: Pseudonymization) -> Pseudonymizer:
    return privacy.tagger()


def test_canonical_is_grouped_ordered_and_pseudonymised(tmp_path: Path,
                                                        privacy: Pseudonymization) -> None:
    source = tmp_path / "chattar.csv"
    source.write_text(CANONICAL, encoding="utf-8")
    first, second = read_canonical(source, privacy=privacy)
    assert first.conversation_id == "c1"
    # volunteer_id is declared an identifier: a keyed hash, the same in every file
    assert first.volunteer_id == "V-" + privacy.identifier("v7", "volunteer", length=10)
    assert [m.role for m in first.messages] == ["seeker", "volunteer", "seeker"]  # by time
    assert "Sara" not in first.messages[0].text and "[PERSON]" in first.messages[0].text
    assert first.duration_min == 9.0
    assert seeker_text(first, part="end", messages=1) == "Tack, det hjälpte"
    assert second.volunteer_id is None and second.duration_min is None


def test_canonical_bad_rows_are_named(tmp_path: Path, privacy: Pseudonymization) -> None:
    source = tmp_path / "fel.csv"
    source.write_text("conversation_id;role;timestamp;text\nc1;kurator;igår;hej\n",
                      encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        read_canonical(source, privacy=privacy)
    assert {(p.row, p.column) for p in caught.value.problems} == {(2, "role"),
                                                                  (2, "timestamp")}


def test_esconv_reader(tmp_path: Path, tagger: Pseudonymizer) -> None:
    dialog = {"problem_type": "job crisis", "emotion_type": "anxiety",
              "situation": "John was laid off last week.",
              "survey_score": {"seeker": {"initial_emotion_intensity": "4",
                                          "final_emotion_intensity": "2"}},
              "dialog": [{"speaker": "usr", "text": "I am John and I lost my job"},
                         {"speaker": "sys", "text": "That sounds hard."}]}
    source = tmp_path / "esconv.jsonl"
    source.write_text(json.dumps(dialog) + "\n" + json.dumps(dialog) + "\n", encoding="utf-8")
    conversations = read_esconv(source, pseudonymizer=tagger)
    assert [c.conversation_id for c in conversations] == ["0", "1"]
    labels = conversations[0].labels
    assert (labels["mood_before"], labels["mood_after"]) == (2, 4)  # 6 − intensity
    assert labels["problem_type"] == "job crisis"
    assert labels["situation"].startswith("[PERSON]") and "John" not in labels["situation"]
    seeker = conversations[0].texts("seeker")[0]
    assert seeker.startswith("I am [PERSON] and I lost my") and "John" not in seeker
    for broken in ('{"dialog": []}', '{"survey_score": {}}', '{"dialog": "hej"}', "[1, 2]"):
        (tmp_path / "fel.jsonl").write_text(broken + "\n", encoding="utf-8")
        with pytest.raises(ReadError, match="Rad 1"):
            read_esconv(tmp_path / "fel.jsonl")


def test_esconv_reader_without_survey(tmp_path: Path, tagger: Pseudonymizer) -> None:
    """A user's own chats in ESConv form carry no survey: read them, with no known answers."""
    dialog = {"dialog": [{"speaker": "usr", "text": "Jag mår dåligt och kan inte sova"},
                         {"speaker": "sys", "text": "Berätta mer."}]}
    source = tmp_path / "egna.jsonl"
    source.write_text(json.dumps(dialog, ensure_ascii=False) + "\n"
                      + json.dumps(dialog | {"survey_score": None}) + "\n", encoding="utf-8")
    conversations = read_esconv(source, pseudonymizer=tagger)
    assert len(conversations) == 2
    for conversation in conversations:
        assert conversation.texts("seeker") == ["Jag mår dåligt och kan inte sova"]
        assert not {"mood_before", "mood_after", "experience"} & set(conversation.labels)


def test_survey_reader(tmp_path: Path) -> None:
    source = tmp_path / "enkat.csv"
    source.write_text("conversation_id;mood_before;mood_after;experience\nc1;2;4;5\nc2;;3;\n",
                      encoding="utf-8")
    assert read_survey(source) == {
        "c1": {"mood_before": 2, "mood_after": 4, "experience": 5},
        "c2": {"mood_before": None, "mood_after": 3, "experience": None}}
    source.write_text("conversation_id;mood_before\nc1;7\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="största tillåtna"):
        read_survey(source)


def test_models_follow_estimator_conventions() -> None:
    texts = ["I lost my job and cannot pay rent", "my girlfriend left me last week",
             "work fired me today", "we broke up and I am sad"] * 3
    problems = ["job crisis", "breakup", "job crisis", "breakup"] * 3
    classifier = ProblemTypeClassifier(C=4.0)
    assert classifier.fit(texts, problems) is classifier
    assert list(classifier.predict(["they fired me from work"])) == ["job crisis"]
    mood = MoodEstimator().fit(texts, [5, 4, 5, 3] * 3)
    assert all(1 <= v <= 5 for v in mood.predict(["I feel terrible"]))
    sentiment = SentimentClassifier().fit(["så glad idag", "hemskt och ledsen"] * 4,
                                          ["pos", "neg"] * 4)
    assert list(sentiment.predict(["jag är glad"])) == ["pos"]
