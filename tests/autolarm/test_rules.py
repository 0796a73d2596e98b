"""The Swedish rules on what pupils write, including everything that must NOT raise an alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from kraftsamling.autolarm import Category, Level, RuleSet


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RuleSet.from_toml()


def flagged(rules: RuleSet, text: str) -> set[tuple[str, str]]:
    return {(h.level.value, h.category.value) for h in rules.analyze(text) if h.active}


@pytest.mark.parametrize(("text", "category"), [
    ("jag vill inte leva längre", "suicide"),
    ("jagvillinteleva", "suicide"),                     # missing spaces
    ("ja vill int leva", "suicide"),                    # chat spelling
    ("jag funderar på sjalvmord", "suicide"),           # å folded
    ("jag har sjävlmordstankar", "suicide"),            # transposed letters in a compound
    ("om ingen hjälper mig så tar jag livet av mig", "suicide"),  # inverted word order
    ("min kompis säger att hon ska ta livet av sig", "suicide"),  # a friend at risk
    ("jag skär mig varje kväll", "self_harm"),
    ("jag kan inte sluta skada mig själv", "self_harm"),
    ("min pappa slår mig", "abuse_home"),
    ("minpappaslårmig", "abuse_home"),
    ("en vuxen tog på mig fast jag sa nej", "sexual_abuse"),
    ("han sa att han ska knivhugga mig efter skolan", "violence_threat"),
    ("de ska gifta bort mig i sommar", "honour_related"),
    ("jag tänker hoppa ut ur fönstret ikväll", "suicide"),
    ("vill hoppa ut från balkongen", "suicide"),
])
def test_urgent_answers(rules: RuleSet, text: str, category: str) -> None:
    assert ("urgent", category) in flagged(rules, text)


@pytest.mark.parametrize(("text", "category"), [
    ("jag blir retad varje dag", "bullying"),
    ("ingen vill vara med mig på rasterna", "bullying"),
    ("jag mår dåligt och känner mig ensam", "wellbeing"),
    ("jag räknar kalorier hela tiden", "eating_disorder"),
])
def test_concerns(rules: RuleSet, text: str, category: str) -> None:
    found = flagged(rules, text)
    assert ("concern", category) in found
    assert not any(level == "urgent" for level, _ in found)


@pytest.mark.parametrize(("text", "reason"), [
    ("jag vill inte dö", "negation"),
    ("jag skulle aldrig göra något sånt mot mig själv", "negation"),
    ("ingen slår mig hemma", "negation"),
    ("jag skadar mig inte", "negation"),
    ("dog av skratt på lektionen", "idiom"),
    ("jag skulle döda för en pizza", "idiom"),
    ("tanken slår mig ibland att jag har tur", "idiom"),
    ("plötsligt slår det mig att jag glömt nycklarna", "idiom"),
    ("om jag får en läxa till så dör jag", "idiom"),
    ("vi läste om självmord i svenskan", "context"),
    ("boken handlar om en kille som skadar sig själv", "context"),
    ("jag skar mig förut men nu mår jag bra och har slutat", "resolved"),
    ("om någon mobbar säger jag till en lärare", "hypothetical"),
])
def test_tricky_negatives(rules: RuleSet, text: str, reason: str) -> None:
    hits = rules.analyze(text)
    assert not any(h.active and h.level is Level.urgent for h in hits), text
    assert reason in {h.suppressed_by for h in hits} or not hits


def test_still_ongoing_is_not_resolved(rules: RuleSet) -> None:
    text = "jag har försökt ta livet av mig förut och jag tänker göra det igen"
    assert ("urgent", "suicide") in flagged(rules, text)


def test_evidence_points_at_the_words(rules: RuleSet) -> None:
    text = "Hej. Min pappa slår mig när han är full."
    hit = next(h for h in rules.analyze(text) if h.category is Category.abuse_home)
    assert text[hit.start:hit.end] == "slår mig"


def test_rules_from_an_organisations_own_file(tmp_path: Path) -> None:
    own = tmp_path / "regler.toml"
    own.write_text(
        '[modifiers]\nnegation = ["inte"]\n\n'
        '[[rule]]\nid = "egen.vape"\ncategory = "substance"\nlevel = "concern"\n'
        'patterns = ["(vejpar|vapar) ~2 (varje|hela)"]\n', encoding="utf-8")
    custom = RuleSet.from_toml(own)
    assert flagged(custom, "jag vejpar hela tiden") == {("concern", "substance")}
    assert flagged(custom, "jag vejpar inte varje dag") == set()


@pytest.mark.parametrize(("content", "message"), [
    ('[[rule]]\nid = "x"\ncategory = "ufo"\npatterns = ["a"]\n', "Regeln 'x'"),
    ('[[rule]]\nid = "y"\ncategory = "suicide"\npatterns = ["~2 dö"]\n', "börja och sluta"),
    ("[[rule]\n", "inte giltig TOML"),
    ("", "inga regler"),
])
def test_bad_rule_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "fel.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        RuleSet.from_toml(path)


def test_rules_survive_pickling(rules: RuleSet) -> None:
    """A trained detector is saved with joblib: its rules must work after loading."""
    import pickle

    loaded = pickle.loads(pickle.dumps(rules))  # noqa: S301 - our own object, in memory
    assert flagged(loaded, "min pappa slår mig") == {("urgent", "abuse_home")}


# -- issue 18: ordinary words are not danger words ------------------------------------------

@pytest.mark.parametrize("text", [
    "vi har idrott en gång i veckan",            # gång is not gäng*
    "tre gånger om dagen, första gången",
    "svaret var fel",
    "spåren syntes i snön",                       # not spåret, a typo away
    "taket rasade och de radade upp stolarna",    # not rånade
    "han räddade två gånger",                     # doubled letters are the word's own
    "skaffar sig en utbildning",                  # not skadar sig
    "nya vapenlagar i riksdagen",                 # a compound, not 'vapen lagar'
    "Mannen åtalas nu även för våldtäkt .",       # news: a topic word, no one close
    "ett gäng restauranger vi ska besöka",
])
def test_common_words_are_not_danger_words(rules: RuleSet, text: str) -> None:
    assert not any(h.active and h.level is Level.urgent for h in rules.analyze(text)), text


@pytest.mark.parametrize(("text", "category"), [
    ("gänget vid busshållplatsen hotar mig", "violence_threat"),
    ("han våldtog mig på festen", "sexual_abuse"),
    ("jag tänker på självmord varje dag", "suicide"),
    ("ja vill do", "suicide"),                    # å/ä/ö left out: still read
    ("jag vill dööö", "suicide"),                 # stretched letters in a non-word
    ("jag har självskadat mig", "self_harm"),     # a typo in a word no dictionary has
])
def test_danger_words_still_found(rules: RuleSet, text: str, category: str) -> None:
    assert ("urgent", category) in flagged(rules, text)


def test_no_fuzzy_match_on_dictionary_words_or_short_stems(rules: RuleSet) -> None:
    from kraftsamling.autolarm import FUZZY_STEM_MIN, is_dictionary_word

    vocabulary = rules.vocabulary
    assert is_dictionary_word("rasade") and not is_dictionary_word("sjalvmord")
    assert vocabulary.forms("rasade") == {"rasade"}
    assert vocabulary.forms("gang", "gång") == {"=gång"}
    assert "sjalvmord*" in vocabulary.forms("sjavlmordstankar")
    short = sorted(p for p in vocabulary.prefixes if len(p) < FUZZY_STEM_MIN)
    assert short  # e.g. mobb*, gäng*: matched as written, never with a typo
    for stem in short:
        typo = stem[:-1] + ("x" if stem[-1] != "x" else "y") + "abc"
        assert stem + "*" not in vocabulary.forms(typo), stem


def _ordinary_texts() -> dict[str, list[str]]:
    data = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    news_path = data / "swedish-ner" / "test_corpus.txt"
    posts_path = data / "swe-sentiment" / "swe-sentiment-dataset.csv"
    if not news_path.is_file() or not posts_path.is_file():
        pytest.skip("../shared/data (swedish-ner, swe-sentiment) is not here")
    import csv

    sentences, words = [], []
    for line in news_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.append(line.split()[0])
        elif words:
            sentences.append(" ".join(words))
            words = []
    with posts_path.open(encoding="utf-8") as handle:
        posts = [row["text"] for row in csv.DictReader(handle)][:2000]
    return {"news": sentences, "posts": posts}


def test_ordinary_swedish_text_raises_almost_nothing(rules: RuleSet) -> None:
    """Issue 18: news sentences and social-media posts; the rules alone (the detector's
    figure, with the classifier, is in benchmarks/autolarm_bench.py)."""
    for name, texts in _ordinary_texts().items():
        assert len(texts) >= 2000, name
        urgent = [t for t in texts
                  if any(h.active and h.level is Level.urgent for h in rules.analyze(t))]
        assert len(urgent) / len(texts) <= 0.003, (name, urgent[:5])
        assert not any("gång" in t.lower() and "gäng" not in t.lower() for t in urgent)


# -- issue 18: game, sport, lyrics and joke contexts; concern-level language ----------------

@pytest.mark.parametrize(("text", "reason"), [
    ("min storebror slår mig alltid i fifa", "game"),
    ("jag sköt ihjäl alla i fortnite, de ska döda mig nästa gång", "game"),
    ("vi ska spöa dem i matchen på lördag", "sport"),
    ("låten handlar om att ta livet av sig men den är fin", "context"),
    ("refrängen går typ jag vill dö jag vill dö", "lyrics"),
    ("haha jag ska ta livet av mig om vi får prov till", "joke"),
    ("jk min pappa slår mig inte", "negation"),
])
def test_game_sport_lyrics_and_jokes_set_hits_aside(rules: RuleSet, text: str,
                                                    reason: str) -> None:
    hits = rules.analyze(text)
    assert not any(h.active and h.level is Level.urgent for h in hits), text
    assert reason in {h.suppressed_by for h in hits}, [(h.rule_id, h.suppressed_by)
                                                       for h in hits]


def test_game_context_does_not_hide_abuse_outside_its_categories(rules: RuleSet) -> None:
    """Game and sport set aside violence words only: a coach who touches a pupil is not a
    game."""
    assert ("urgent", "sexual_abuse") in flagged(rules, "tränaren tar på mig efter matchen")


@pytest.mark.parametrize(("text", "category"), [
    ("alla i klassen blev bjudna utom mig", "bullying"),                 # exclusion
    ("någon har gjort ett fejkkonto med mina bilder", "bullying"),       # online shaming
    ("de delade en video på mig i gruppchatten", "bullying"),
    ("läraren skriker på mig och säger att jag är dum", "bullying"),     # a demeaning adult
    ("jag har inte gått i skolan sedan jul", "wellbeing"),               # school refusal
    ("jag får panik när jag ska in i klassrummet", "wellbeing"),
])
def test_concern_language(rules: RuleSet, text: str, category: str) -> None:
    found = flagged(rules, text)
    assert ("concern", category) in found, found
    assert not any(level == "urgent" for level, _ in found)


@pytest.mark.parametrize("text", [
    "Tidningen skriver att personer sågs hoppa ut ur fönster på bottenvåningen.",
    "vi ska hoppa ut i sjön från bryggan på lördag",
    "– Tanken slår mig ibland: tänk att jag får göra det här, säger hon.",
])
def test_ordinary_text_with_danger_words_is_not_urgent(rules: RuleSet, text: str) -> None:
    """Seen in the development part of ordinary Swedish text (swedish-ner's train split)."""
    assert not any(h.active and h.level is Level.urgent for h in rules.analyze(text)), text


@pytest.mark.parametrize("text", [
    "det slår mig hemma varje dag",  # pupils write det for de: not the idiom
    "mamma och pappa det slår mig",
    "jag vill hoppa ut i vattnet från bron och aldrig komma upp",
    "jag vill bara hoppa ut",
    "jag ska hoppa ut i vägen",
])
def test_the_ordinary_text_fixes_keep_pupils_danger(rules: RuleSet, text: str) -> None:
    """Second reading of session 32's idiom and `hoppa ut` changes."""
    assert any(h.active and h.level is Level.urgent for h in rules.analyze(text)), text
