"""The name tagger is shared by every request thread of the server (issue 19).

pycrfsuite's ``Tagger`` keeps the sentence of its last ``set`` call; two threads that share one
read each other's sentence: 1 of 500 survey answers under load got a 500 ("position 10 is out
of range of 10"), and a shorter neighbour silently scores the wrong tokens.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from kraftsamling.privacy import default_tagger

SENTENCES = [
    "Jag heter Anna Lindqvist och går i 7A .".split(),
    "Hej".split(),
    "Han slår mig hemma när han är full , sa Erik Johansson till mig igår kväll".split(),
    "Lärarna är snälla".split(),
    "Mamma och Ali Hassan kom inte hem förrän sent på natten och då var det redan mörkt ute "
    "i hela Skäggetorp".split(),
]


@pytest.fixture
def fast_switching() -> Iterator[None]:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def test_threads_sharing_the_tagger_get_their_own_sentence(fast_switching: None) -> None:
    tagger = default_tagger()
    expected = [tagger.predict_proba(words) for words in SENTENCES]
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(150):
            k = (i + offset) % len(SENTENCES)
            try:
                got = tagger.predict_proba(SENTENCES[k])
            except ValueError as error:  # the other thread's shorter sentence
                failures.append(str(error))
                return
            if got != expected[k]:
                failures.append(f"sentence {k}: wrong scores")
                return

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
