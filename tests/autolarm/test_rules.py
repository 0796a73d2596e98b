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
