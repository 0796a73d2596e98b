"""Presidio's Swedish identity-number test cases, as our own test.

The texts, expected counts and positions are those of Microsoft Presidio's tests
``presidio-analyzer/tests/test_se_personnummer_recognizer.py`` (18 cases) and
``presidio-analyzer/tests/test_se_organisationsnummer_recognizer.py`` (11 cases)
(github.com/microsoft/presidio, MIT licence), run against our recognisers: each recogniser
must find exactly the expected spans of its type, and nothing in the invalid ones.
"""

from __future__ import annotations

import pytest

from kraftsamling.privacy import OrganisationsnummerRecognizer, PersonnummerRecognizer, tokenize

PERSONNUMMER_CASES = [
    ("189004119807", [(0, 12)]),
    ("My personal identity code is: 189110089811. Thank you.", [(30, 42)]),
    ("191005059801", [(0, 12)]),
    ("198712202384", [(0, 12)]),
    ("871220-2384", [(0, 11)]),
    ("199109242397 är mitt pnr.", [(0, 12)]),
    ("19910924-2397 är mitt pnr.", [(0, 13)]),
    ("199201232387", [(0, 12)]),
    ("9201232387", [(0, 10)]),
    ("Here's my personnummer 200109022392.", [(23, 35)]),
    ("201109252385", [(0, 12)]),
    ("20110925-2385", [(0, 13)]),
    ("My swedish id code is199003052397.", [(21, 33)]),  # glued to the word before
    ("19000309-3393", []),
    ("19001309-2393", []),
    ("200504422381", []),
    ("189x09179809", []),
    ("18970c17-9809", []),
]
ORGANISATIONSNUMMER_CASES = [
    ("212000-0142", [(0, 11)]),
    ("Our company identity code is: 212000-0142. Thank you.", [(30, 41)]),
    ("2120000142", [(0, 10)]),
    ("556703-7485", [(0, 11)]),
    ("5567037485", [(0, 10)]),
    ("556703-7485 är vårt orgnummer.", [(0, 11)]),
    ("556703-7485 tillhör vårt företag.", [(0, 11)]),
    ("19000309-3393", []),
    ("19001309-2393", []),
    ("55670x-7485", []),
    ("556703-7r85", []),
]


@pytest.mark.parametrize(("text", "expected"), PERSONNUMMER_CASES)
def test_presidio_personnummer_cases(text: str, expected: list[tuple[int, int]]) -> None:
    spans = PersonnummerRecognizer().analyze(text, tokenize(text))
    assert [(s.start, s.end) for s in spans] == expected


@pytest.mark.parametrize(("text", "expected"), ORGANISATIONSNUMMER_CASES)
def test_presidio_organisationsnummer_cases(text: str, expected: list[tuple[int, int]]
                                            ) -> None:
    spans = OrganisationsnummerRecognizer().analyze(text, tokenize(text))
    assert [(s.start, s.end) for s in spans] == expected


@pytest.mark.parametrize(("text", "number"), [
    ("pnr:19900101-1239", "19900101-1239"),
    ("pnr19900101-1239 enligt ansökan", "19900101-1239"),
    ("Klienten (pnr.8112189876) ringde", "8112189876"),
    ("id811218-9876", "811218-9876"),
])
def test_personnummer_glued_to_letters(text: str, number: str) -> None:
    spans = PersonnummerRecognizer().analyze(text, tokenize(text))
    assert [text[s.start:s.end] for s in spans] == [number]


@pytest.mark.parametrize("text", ["ref 1199003052397", "konto 19900101-12390",
                                  "belopp 1.8112189876", "x811218-9875"])
def test_glued_numbers_that_are_not_personnummer(text: str) -> None:
    assert PersonnummerRecognizer().analyze(text, tokenize(text)) == []
