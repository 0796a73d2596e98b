"""Each recogniser on the forms Swedes actually write, and on look-alikes it must leave."""

from __future__ import annotations

from pathlib import Path

import pytest

from kraftsamling.privacy import (
    Analyzer,
    generate_texts,
    normalise_personnummer,
    valid_organisationsnummer,
    valid_personnummer,
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.from_config()


def found(analyzer: Analyzer, text: str) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.entity_type) for s in analyzer.analyze(text)]


@pytest.mark.parametrize("number", ["811218-9876", "19811218-9876", "8112189876",
                                    "198112189876", "121212+1212"])
def test_personnummer_forms(number: str) -> None:
    assert valid_personnummer(number)


@pytest.mark.parametrize("number", ["811218-9875",   # Luhn
                                    "811318-9876",   # month 13
                                    "810230-1234",   # 30 February
                                    "12345", "2024-03-15"])
def test_invalid_personnummer(number: str) -> None:
    assert not valid_personnummer(number)


def test_samordningsnummer_and_normalisation() -> None:
    assert valid_personnummer("701063-2391")  # day 63 = 3rd
    assert normalise_personnummer("811218-9876") == "198112189876"
    assert normalise_personnummer("121212+1212") == "191212121212"
    assert normalise_personnummer("19811218-9876") == "198112189876"


def test_organisationsnummer() -> None:
    assert valid_organisationsnummer("556036-0793")
    assert valid_organisationsnummer("16556036-0793")
    assert not valid_organisationsnummer("556036-0794")
    assert not valid_organisationsnummer("811218-9876")  # a personnummer: third digit 1


@pytest.mark.parametrize("phone", ["070-123 45 67", "0701234567", "+46 70 123 45 67",
                                   "08-123 456", "013-20 50 00", "0046701234567",
                                   "070 123 45 67", "+46701234567"])
def test_phone_forms(analyzer: Analyzer, phone: str) -> None:
    assert found(analyzer, f"Ring mig på {phone} i kväll.") == [(phone, "PHONE")]


@pytest.mark.parametrize("text", [
    "Mötet är 2026-03-15 kl 14.30.",
    "Beviljat belopp 12 500 kr för mars.",
    "Dnr SN 2024-1234 avslutas.",
    "Hon är 15 år och går i 9B.",
    "Ärendet 811218-9875 är inget personnummer (fel kontrollsiffra).",
    "Vi läste om självmord på lektionen.",
])
def test_look_alikes_are_left_alone(analyzer: Analyzer, text: str) -> None:
    assert found(analyzer, text) == []


def test_email_address_postcode(analyzer: Analyzer) -> None:
    text = ("Skriv till anna.berg@malmo.se. Hon bor på Storgatan 12B lgh 1102, "
            "212 48 Malmö, och förut på Stora Nygatan 3.")
    assert found(analyzer, text) == [
        ("anna.berg@malmo.se", "EMAIL"),
        ("Storgatan 12B lgh 1102", "ADDRESS"),
        ("212 48 Malmö", "POSTCODE"),
        ("Stora Nygatan 3", "ADDRESS"),
    ]


def test_lower_case_address_and_town(analyzer: Analyzer) -> None:
    assert found(analyzer, "jag bor på ängsvägen 4 i 582 22 linköping") == [
        ("ängsvägen 4", "ADDRESS"), ("582 22 linköping", "POSTCODE")]


def test_names_with_context(analyzer: Analyzer) -> None:
    text = "Handläggare Sten Björk träffade mamman Fatima Hassan och sonen Yusuf."
    assert [t for t, kind in found(analyzer, text) if kind == "PERSON"] == [
        "Sten Björk", "Fatima Hassan", "Yusuf"]


def test_lower_case_name_after_cue(analyzer: Analyzer) -> None:
    assert ("ahmed", "PERSON") in found(analyzer, "hej jag heter ahmed och går i sjuan")


# An all-lower-case sentence that starts with a name-word ("sten låg …") is left out since
# session 31: the tagger learnt from written chat that such sentences start with names
# ("sanna va fan …"); docs/privacy.md, Limits.
@pytest.mark.parametrize("text", ["det låg en sten mitt på vägen", "björnen sov i idet",
                                  "hon hade en rosa tröja", "vi gick till skolan i morse"])
def test_names_that_are_words_stay_words(analyzer: Analyzer, text: str) -> None:
    assert [k for _, k in found(analyzer, text) if k == "PERSON"] == []


@pytest.mark.parametrize("text", [
    "Thank you so much, that was really helpful.",
    "I lost my job and I can't sleep. Can you help?",
    "thats good, im feeling a lot better now",
    "May I ask how long you have been feeling this way?",
])
def test_english_words_are_not_names(analyzer: Analyzer, text: str) -> None:
    # The tagger learnt Swedish: before, it took "thank", "that", "job" and "can" for names.
    assert [t for t, kind in found(analyzer, text) if kind == "PERSON"] == []


@pytest.mark.parametrize(("text", "names"), [
    ("I talked to Sarah yesterday and she said my job is safe.", ["Sarah"]),
    ("Mark Johnson is my boss and he yells at me.", ["Mark Johnson"]),
    ("Yesterday Ahmed called me again and I can't take it.", ["Ahmed"]),
    ("my best friend called rose does not answer my texts", ["rose"]),
    ("me and mike went to the store but i still feel alone", ["mike"]),
    ("jag och kalle var där men jag mår inte bra", ["kalle"]),  # Swedish: as before
])
def test_names_in_english_and_swedish_chat(analyzer: Analyzer, text: str,
                                           names: list[str]) -> None:
    assert [t for t, kind in found(analyzer, text) if kind == "PERSON"] == names


def test_generated_set_is_found(analyzer: Analyzer) -> None:
    """A small generated sample: every identity number, phone and e-mail found."""
    for item in generate_texts(150, seed=11):
        spans = analyzer.analyze(item.text)
        for start, end, kind in item.spans:
            if kind in {"PERSONNUMMER", "PHONE", "EMAIL", "ORGANISATIONSNUMMER"}:
                assert any(s.entity_type == kind and s.start < end and start < s.end
                           for s in spans), (item.text, kind)


def test_config_file_adds_and_removes_recognisers(tmp_path: Path) -> None:
    config = tmp_path / "igenkannare.toml"
    config.write_text(
        '[[recognizers]]\ntype = "email"\n'
        '[[recognizers]]\ntype = "phone"\nenabled = false\n'
        '[[recognizers]]\ntype = "pattern"\nentity = "DIARIENUMMER"\n'
        'pattern = "SN \\\\d{4}-\\\\d+"\nscore = 0.9\n', encoding="utf-8")
    custom = Analyzer.from_config(config)
    assert custom.entities == ["DIARIENUMMER", "EMAIL"]
    text = "Dnr SN 2024-1234, svar till a@b.se, tel 070-123 45 67"
    assert found(custom, text) == [("SN 2024-1234", "DIARIENUMMER"), ("a@b.se", "EMAIL")]


@pytest.mark.parametrize(("content", "message"), [
    ('[[recognizers]]\ntype = "telepati"\n', "Okänd igenkännartyp 'telepati'"),
    ('[[recognizers]]\ntype = "pattern"\n', "fel inställningar"),
    ("[[recognizers", "inte giltig TOML"),
    ("", "Minst en igenkännare"),
])
def test_bad_config_gets_a_swedish_message(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "fel.toml"
    config.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Analyzer.from_config(config)
