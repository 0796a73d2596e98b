"""Person names in the forms notes, school reports, chat and SMS write them (issue 21)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kraftsamling.privacy import (
    Analyzer,
    NameTagger,
    PersonNameRecognizer,
    as_tagged_sentences,
    bucket_of,
    first_name_bucket,
    name_likeness,
    name_training_texts,
    read_written_names,
    sentence_features,
    surname_shaped,
    tokenize,
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_config()


def names(analyzer: Analyzer, text: str) -> list[str]:
    return [text[s.start:s.end] for s in analyzer.analyze(text) if s.entity_type == "PERSON"]


def test_gazetteer_buckets_follow_bearers() -> None:
    assert [bucket_of(c) for c in (0, 5, 99, 100, 9_999, 10_000, 50_000, 400_000)] == [
        0, 1, 1, 2, 3, 4, 5, 5]
    assert first_name_bucket("anna") == 5
    assert 0 < first_name_bucket("ebbe") < first_name_bucket("anna")
    assert first_name_bucket("anna-karin") == 3  # listed as it is
    assert first_name_bucket("anna-qwyx") == 5  # unlisted double name: its stronger part
    assert first_name_bucket("ansökan") == 0


def test_surname_shape_and_name_likeness() -> None:
    assert surname_shaped("andersson") == surname_shaped("lindqvist") == 2
    assert surname_shaped("möte") == surname_shaped("berg") == 0  # short words: 0
    assert name_likeness("nguyen") > 1 > name_likeness("ansökan")
    assert name_likeness("ahmadi") > name_likeness("kommunen")
    assert name_likeness("123") < -1


@pytest.mark.parametrize(("text", "expected"), [
    ("Lena ringde i går och ville boka om.", ["Lena"]),
    ("Det var en lena yta på bordet.", []),
    ("Det kostar 200 kr per person.", []),
    ("Hans mamma ringde.", []),
    ("Vi träffade Bo och hans fru Vera.", ["Bo", "Vera"]),
    ("Jag vill bo kvar hemma.", []),
    ("Vi ska läsa en saga.", []),
])
def test_names_that_are_words_are_decided_by_context(analyzer: Analyzer, text: str,
                                                     expected: list[str]) -> None:
    assert names(analyzer, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a note's first word is capitalised anyway: the name is found, the next word is kept
    ("Ebbe Behöver stöd i matematik.", ["Ebbe"]),
    ("Agneta Planerat möte med rektorn.", ["Agneta"]),
    ("Pratade med Johannas pappa om läxorna.", ["Johannas"]),  # genitive
    ("herr Lindqvist kom inte.", ["Lindqvist"]),  # title, surname alone
    ("Fru Bergström ringde två gånger.", ["Bergström"]),
    ("Mötet leddes av J. Andersson.", ["J. Andersson"]),  # initial
    ("Anna-Karin Holmqvist är ny mentor.", ["Anna-Karin Holmqvist"]),  # double name
    ('Hon sa: "Jag vill inte att Micke kommer hit."', ["Micke"]),  # direct speech, pet form
    ("min faster Gunnel hämtar mig", ["Gunnel"]),  # kinship word
    ("kompisen Nisse sa det", ["Nisse"]),
    ("MAMMA KARIN SKA RINGA", ["KARIN"]),  # all capitals
    ("jag och ebba var hos farmor", ["ebba"]),  # lower case
    ("Han pratade med Nguyen Thi Lan om boendet.", ["Nguyen Thi Lan"]),  # foreign
    ("Kuratorn träffade Dawit och Selamawit.", ["Dawit", "Selamawit"]),
    ("Svensson uppger att hyran är betald.", ["Svensson"]),
    ("Skolan har kontaktat Socialtjänsten.", []),
    ("Vi åkte till Nairobi i somras.", []),
])
def test_name_forms(analyzer: Analyzer, text: str, expected: list[str]) -> None:
    assert names(analyzer, text) == expected


def test_training_texts_are_tagged_on_tokens() -> None:
    texts = name_training_texts(200, seed=5)
    assert {t.style.split("-")[0] for t in texts} == {"name", "word"}
    sentences = as_tagged_sentences(texts)
    for item, (words, tags) in zip(texts, sentences, strict=True):
        assert ("PER" in tags) == bool(item.spans)
        assert len(words) == len(tags)


def test_features_mark_context() -> None:
    rows = sentence_features(["Mamma", "Lena", "sa", ":", "”", "Kom", "Annas", "”"])
    assert "-1kin" in rows[1] and "fb=5" in rows[1] and "start" in rows[0]
    assert "inq" in rows[5] and any(f.startswith("gen=5") for f in rows[6])


def test_a_small_tagger_fits_and_predicts() -> None:
    sentences = as_tagged_sentences(name_training_texts(300, seed=9))
    tagger = NameTagger(max_iterations=30).fit([w for w, _ in sentences],
                                               [t for _, t in sentences])
    words = ["Mamma", "Karin", "ringde", "i", "dag", "."]
    probabilities = tagger.predict_proba(words)
    assert probabilities[1] > 0.5 > max(probabilities[2:])


def test_demo_notes_lose_the_name_and_keep_the_note(analyzer: Analyzer) -> None:
    """The demo's person list writes "first name + note" (``Emma Söker stöd …``): issue 21
    found 12 of 120 names kept in clear and 27 notes losing a word."""
    from faker import Faker

    from kraftsamling.demo import NOTES

    fake = Faker("sv_SE")
    fake.seed_instance(21)
    for note in NOTES:
        for _ in range(12):
            first = str(fake.first_name())
            text = f"{first} {note}".strip()
            spans = [s for s in analyzer.analyze(text) if s.entity_type == "PERSON"]
            assert any(s.start == 0 for s in spans), text
            assert all(s.end <= len(first) for s in spans), text


@pytest.mark.parametrize(("rule", "text", "expected"), [
    # a capitalised word after a first name is the surname, even when it is also a word
    ("after_first", "Vi träffade Maja Fröjd i går.", ["Maja Fröjd"]),
    # a text that has named someone names them again, in the genitive too
    ("consistency", "Vi ringde till Agda i går. Agdas dotter svarade.", ["Agda", "Agdas"]),
    # an abbreviation before a hyphen is no double name
    ("hyphen_shape", "Hon vann EM-finalen i fjol.", []),
    ("hyphen_shape", "Laget tog VM-silver.", []),
    # a word only the surname lists hold, after a place preposition, is a place
    ("place_list", "Hon bor i Washington sedan i fjol.", []),
    # an abbreviation is no title, nor does a title make an abbreviation a name
    ("title_caps", "Det sa han till SR Ekot i går.", []),
    ("title_caps", "Tävlingen Miss USA var uppgjord.", []),
    # a capitalised name after a verb of saying is the speaker, even a name that is a word
    ("speech", "– Okej, suckade Dag.", ["Dag"]),
    # a lower-case kinship word between two names belongs to neither
    ("kin_word", "Aarons bror Mose talade.", ["Aarons", "Mose"]),
    # a common word in lower case is no name, also stretched or without its å, ä, ö: a
    # pupil's danger phrase keeps its words
    ("lower_common", "det e min sista dag ida tror ja", ["ida"]),
    ("lower_common", "min syster hela tiden slår mig", []),
    ("lower_common", "min pappa toggg strypgrepp på mig", []),
    # a pronoun, preposition or conjunction is never a name
    ("function_word", "Ove kallade till möte på fredag.", ["Ove"]),
    # after an animal and a naming verb, or after "Den heter", the name is no person's
    ("pet_name", "Vi har en kanin som heter Kalle.", []),
    ("pet_name", "Vi har en katt som heter Bella, sa Stina.", ["Stina"]),
    # "Hans" before a kinship word is the possessive pronoun
    ("hans_kin", "Hans pappa Anders kom hem.", ["Anders"]),
    # a short word in capitals among words that are not is an abbreviation
    ("acronym", "Kontakt med BVC tas i veckan.", []),
    ("acronym", "Hon pratade med FK och AIK om det.", []),
])
def test_each_rule_decides_its_case(rule: str, text: str, expected: list[str]) -> None:
    """Each rule of the name recogniser (chosen by cross-validation over NER train and the
    written text, benchmarks/privacy_names_dev.py) changes the answer on a case it is
    there for."""
    recognizer = PersonNameRecognizer()
    tokens = tokenize(text)
    found = [text[s.start:s.end] for s in recognizer.analyze(text, tokens)]
    recognizer.rules = recognizer.rules - {rule}
    without = [text[s.start:s.end] for s in recognizer.analyze(text, tokens)]
    assert found == expected
    assert without != expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Jag menar Stockholm är för dyrt.", []),  # a verb of saying that starts a clause
    ("Han frågade Polisen om vägen.", []),
    ("Hej jag heter bror och går i sjuan.", ["bror"]),  # a naming cue beats a relation word
    # lower_common: a name stays a name after a naming cue or a title, beside the other
    # half of a full name, and when it is a rarer word than a name (`emma`, `lina`)
    ("jag heter per och går i åttan", ["per"]),
    ("herr bo sa nej", ["bo"]),
    ("min kompis lina berg flyttade", ["lina berg"]),
    ("emma kom hem sent igår", ["emma"]),
    # second reading of session 32's rules: a person's name stays a name
    ("Killen som sparkade min hund heter Adam.", ["Adam"]),  # the animal is not the subject
    ("tjejen med hunden heter Lisa", ["Lisa"]),
    ("Det var boken Anna gav mig.", ["Anna"]),  # a clause without `som`
    ("Min kompis Sina hotar mig.", ["Sina"]),  # a first name that is also a function word
    ("min kompis saga sa att hon vill dö", ["saga"]),  # not `säga` without its ä
    ("min syster klara slår mig", ["klara"]),  # a first name after a kinship word
    ("Ring Maria Lindberg kommun om mötet.", ["Maria Lindberg"]),
    # pet_name and hans_kin: a person named beside an animal, Hans as a name
    ("Hunden bet Anna i benet.", ["Anna"]),
    ("Kerstin tog med katten till Anders.", ["Kerstin", "Anders"]),
    ("Hans kom hem sent.", ["Hans"]),
    ("Den som heter Anna får gå först.", ["Anna"]),
    # cases the session-33 tagger decides without the rule written for them
    ("Priset gick till Lina Hurtig i år.", ["Lina Hurtig"]),
    ("pappa slar mig för atttt jag har en pojkvan", []),
    ("hon slår min lilla syster hela tiden", []),
    ("Hans bror Olle kom också.", ["Olle"]),
    # acronym: a first name in capitals, a name after a naming word, a shouted text
    ("Ett möte med ANNA och Per i dag.", ["ANNA", "Per"]),
    ("Hon heter KRISTOFFERSSON i efternamn.", ["KRISTOFFERSSON"]),
    ("Hon heter ÅSA.", ["ÅSA"]),
    ("Eleverna jämför två källor om Karl XII och hans krig.", ["Karl XII"]),  # regnal
    ("Kung Carl XVI Gustaf kom.", ["Carl XVI Gustaf"]),
    # second reading of session 33: a surname in capitals after a first name or alone, and a
    # caseworker's initials after a role word, are people; abbreviations still are not
    ("Möte med Per BERG i dag om placeringen.", ["Per BERG"]),
    ("Mamma Lena LIND ringde i morse.", ["Lena LIND"]),
    ("Vi ringde till Jonas NG i morse.", ["Jonas NG"]),
    ("Mötet leddes av rektor Kim EK.", ["Kim EK"]),
    ("Samtal med LIND om mötet.", ["LIND"]),
    ("Anteckning gjord av handläggare LK.", ["LK"]),
    ("Handläggare: AK, datum 2024-03-01.", ["AK"]),
    ("Kontakt med BUP, handläggare LK.", ["LK"]),
    ("Sverige gick med i NATO och EU.", []),
    # a service's abbreviation after a first name or a role is still one, and a sentence
    # end is no bridge from a kinship word (third reading)
    ("Samtal med Eva BUP och Lena IFO.", ["Eva", "Lena"]),
    ("Kurator BUP deltog på mötet.", []),
    ("Möte med pappa. SFI har ringt.", []),
    ("Remiss till SÖS skickad.", []),
])
def test_rules_stay_within_their_case(text: str, expected: list[str]) -> None:
    """The speech rule needs a speech tag's shape; the relation-word rule yields to a
    naming cue (second reading of session 31's rules)."""
    found = [text[s.start:s.end] for s in PersonNameRecognizer().analyze(text, tokenize(text))]
    assert found == expected



def test_written_sentences_are_tagged_on_tokens(tmp_path: Path) -> None:
    path = tmp_path / "sentences.jsonl"
    rows = [{"text_id": "t1", "text": "Lenas mamma ringde till Bo.", "names": [[0, 5], [24, 26]]},
            {"text_id": "t1", "text": "Det var en lena yta.", "names": []}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n",
                    encoding="utf-8")
    assert read_written_names(path) == [
        ("t1", ["Lenas", "mamma", "ringde", "till", "Bo", "."],
         ["PER", "O", "O", "O", "PER", "O"]),
        ("t1", ["Det", "var", "en", "lena", "yta", "."], ["O"] * 6)]
    path.write_text('{"text": "Hej Bo", "names": [[4, 9]]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"Rad 1 .* utanför texten"):
        read_written_names(path)
    path.write_text('{"text": "Hej Bo"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"Rad 1 .* ingen mening med namnspann"):
        read_written_names(path)


def test_the_shipped_written_sentences_hold_names_and_non_names() -> None:
    sentences = read_written_names()
    tags = [tag for _id, _words, sentence in sentences for tag in sentence]
    assert len(sentences) >= 1000
    assert len({text_id for text_id, _w, _t in sentences}) >= 100
    assert 0.03 < tags.count("PER") / len(tags) < 0.3


def test_written_parts_are_read_in_turn_and_keep_their_texts_apart(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"text_id": "a1", "text": "Hej Bo", "names": [[4, 6]]}\n',
                     encoding="utf-8")
    second.write_text('{"text_id": "b1", "text": "Hej Eva", "names": [[4, 7]]}\n',
                      encoding="utf-8")
    assert read_written_names([first, second]) == [
        ("a1", ["Hej", "Bo"], ["O", "PER"]), ("b1", ["Hej", "Eva"], ["O", "PER"])]
    second.write_text('{"text_id": "a1", "text": "Hej Eva", "names": [[4, 7]]}\n',
                      encoding="utf-8")
    with pytest.raises(ValueError, match="samma id"):
        read_written_names([first, second])
