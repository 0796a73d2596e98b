"""How the name tagger's threshold, rules and training mix were chosen: on training data only.

    nice python benchmarks/privacy_names_dev.py     # 30 CRF fits: 30-60 minutes on one core
    nice python benchmarks/privacy_names_dev.py --weights 4 --models folds/  # keep the fits

5-fold cross-validation over the tagger's two kinds of labelled training text: the Swedish
NER train split (news; sentence i is in fold i mod 5) and the written sentences shipped in
``privacy/data/written_names/`` (twelve registers other than news, written for training;
grouped by ``text_id``: the j-th text in sorted order is in fold j mod 5, so a text's
sentences never sit on both sides). Each fold's CRF is fitted on the other four folds of
both, plus 4,000 generated notes and messages (``name_training_texts``, seed 1), as the
shipped model is, with the written sentences added ``weight`` times (0: left out, the
tagger before session 31), and scores the person-name tokens of its own fold, news and
written text apart. Neither the test split nor the independent corpus
(``benchmarks/data/names-independent/``) is read.

Printed: for each weight, recall, precision and the share of other words removed over a grid
of thresholds with every rule on; then, at the chosen weight and threshold, the same with
each rule of ``PersonNameRecognizer.rules`` left out in turn.

The rule for choosing (written down in session 31 before any run with the written text):
for each weight, the lowest threshold at which cross-validated precision reaches 0.90 on
the news folds and on the written folds alike (the target holds on both test sets); then
the weight whose lower recall of the two is highest (ties: the higher mean recall, then
the smaller weight). Weights 4 and 6 were added to the grid after weights 0-3 had been
run, because recall on the written folds still rose with the weight; the rule stayed as
written. A rule stays only if leaving it out loses more name tokens than it removes false
ones, over both parts (session 30's rule, "loses recall or costs precision", would keep a
rule that buys 5 names with 8 false alarms).

The rule ``lower_common`` (session 32; written down before its first run): it is judged on
a third part as well, the news folds lower-cased (names as chat writes them), since it
touches only words written in lower case. Its Zipf level (``--zipfs``) is the one with the
fewest name tokens missed plus other words removed over the three parts, and the rule stays
only if that sum is smaller than without it.

The rules ``function_word``, ``pet_name`` and ``hans_kin`` (session 32, second helper;
written down before their first run; drawn from the written folds' out-of-fold false
alarms at weight 2 and threshold 0.40, training data): each is judged by the same
ablation over the three parts with the fold models of weight 2 (unchanged: no training
data or hyperparameter changed) and stays only if leaving it out gives a larger sum of
name tokens missed plus other words removed than keeping it (strictly). Then the
threshold is chosen again by the session-31 rule with the kept rules, at weight 2 only.
All three stayed (1,035 with every rule; 1,039 / 1,042 / 1,037 without). A fourth,
``non_person_head`` (a name after a head word that names no person, `Stormen Ingrid`,
`hunden Loke`, `Byn Ask`, or before an institution word, `Göta hovrätt`, `Sankt Olofs
församling`), drawn from the same false alarms after that run, is judged the same way.

Session 33 (written down before its run). The written folds hold a second written part,
``written_names/sentences_s33.jsonl`` (case notes, school and health-care notes, support
chats, SMS threads and e-mails, by another blind writer session), its texts dealt into the
folds in the same sorted order with the first part's. With that training data the fold
models are fitted again and the rules above choose again, unchanged: the threshold by the
session-31 rule at weight 2 only (``--weights 2``: the other weights lost to 2 in session
31, and the session ends 40 minutes after the part lands, too soon for 30 fits on a shared
machine), and each rule by the ablation at weight 2 and the chosen threshold. Zipf levels
are not chosen again (``--zipfs 5``). One new rule, ``acronym`` (a word of two to four
capitals among words that are not, not a first name and not after a naming or title word,
is an abbreviation: `Kontakt med BUP tas`), drawn from the written folds' out-of-fold false
alarms at weight 2 and threshold 0.40 before the second part was read, is judged by that
ablation too: it stays only if leaving it out gives a larger sum of name tokens missed plus
other words removed than keeping it (strictly). If the chosen threshold or weight differs
from the shipped one, the shipped model and threshold follow the choice.

Result of that run: threshold 0.45 (0.40: news precision 0.898); every rule stayed,
``acronym`` by one (1,157 with every rule, 1,158 without it). Its changes on the folds
(training data) were mostly regnal numbers cut from names (`Karl XII`, `Erik XIV`, `Carl
XVI Gustaf`), so it was narrowed: a Roman numeral is no abbreviation. Written down before
the second run (same fold models; the initials rule also fills the full stop of an initial
the tagger found itself, `J. Andersson`): the threshold and every rule are chosen again
by the same rules, and that run's choices are final.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kraftsamling.privacy import NameTagger, PersonNameRecognizer, read_conll, read_written_names
from kraftsamling.privacy._names import COMMON_ZIPF, RULES, WRITTEN_NAMES
from kraftsamling.privacy._spans import tokenize
from kraftsamling.privacy._synth import as_tagged_sentences, name_training_texts

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
WEIGHTS = (0, 1, 2, 3, 4, 6)
FOLDS = 5
TARGET_PRECISION = 0.90
Sentences = Sequence[tuple[list[str], list[str]]]
Counts = list[int]


def counts(recognizer: PersonNameRecognizer, sentences: Sentences) -> Counts:
    """True positives, false positives, false negatives, other words, other words removed."""
    tp = fp = fn = other = removed = 0
    for words, tags in sentences:
        text = " ".join(words)
        spans = recognizer.analyze(text, tokenize(text))
        position = 0
        for word, tag in zip(words, tags, strict=True):
            start, end = position, position + len(word)
            position = end + 1
            hit = any(s.start < end and start < s.end for s in spans)
            gold = tag == "PER"
            tp += hit and gold
            fp += hit and not gold
            fn += gold and not hit
            if not gold and word[:1].isalnum():
                other += 1
                removed += hit
    return [tp, fp, fn, other, removed]


def add(a: Counts, b: Counts) -> Counts:
    return [x + y for x, y in zip(a, b, strict=True)]


def recall(total: Counts) -> float:
    return total[0] / max(total[0] + total[2], 1)


def precision(total: Counts) -> float:
    return total[0] / max(total[0] + total[1], 1)


def cells(total: Counts) -> str:
    _tp, fp, fn, other, removed = total
    return (f"{recall(total):.3f} | {precision(total):.3f} | {removed / max(other, 1):.2%} | "
            f"{fn} | {fp}")


def row(label: str, news: Counts, written: Counts) -> str:
    return f"| {label} | {cells(news)} | {cells(written)} | {cells(add(news, written))} |"


def row3(label: str, news: Counts, written: Counts, lower: Counts) -> str:
    total = add(add(news, written), lower)
    return (f"| {label} | {cells(news)} | {cells(written)} | {cells(lower)} | {cells(total)} "
            f"| {total[1] + total[2]} |")


HEADER = ("| {} | news R | news P | news other | news missed | news false "
          "| written R | written P | written other | written missed | written false "
          "| both R | both P | both other | both missed | both false |\n|" + "---|" * 16)


HEADER3 = ("| {} | news R | news P | news other | news missed | news false "
           "| written R | written P | written other | written missed | written false "
           "| lower-cased news R | P | other | missed | false "
           "| all R | all P | all other | all missed | all false | missed + false |\n|"
           + "---|" * 22)


def choose(grid: dict[float, tuple[Counts, Counts]]) -> float | None:
    """The lowest threshold with precision ≥ 0.90 on news and written folds alike."""
    for threshold in sorted(grid):
        news, written = grid[threshold]
        if min(precision(news), precision(written)) >= TARGET_PRECISION:
            return threshold
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--written", type=Path, nargs="+", default=list(WRITTEN_NAMES),
                        help="the written training parts (default: every shipped one)")
    parser.add_argument("--weights", default=",".join(map(str, WEIGHTS)),
                        help="comma-separated weights of the written text")
    parser.add_argument("--models", type=Path, help="folder to keep (and reuse) fold models")
    parser.add_argument("--zipfs", default="4.5,5,5.5,6,99",
                        help="Zipf frequencies tried for lower_common (99: no first name "
                        "is read as a word)")
    parser.add_argument("--threshold", type=float,
                        help="leave rules out at this threshold instead of the chosen one")
    args = parser.parse_args()
    train = read_conll(args.data / "swedish-ner" / "train_corpus.txt")
    written = read_written_names(args.written)
    texts = sorted({text_id for text_id, _w, _t in written})
    text_fold = {text_id: j % FOLDS for j, text_id in enumerate(texts)}
    generated = as_tagged_sentences(name_training_texts(4000, seed=1))
    folder = args.models or Path(tempfile.mkdtemp())
    weights = [int(w) for w in args.weights.split(",")]
    news_folds = [[s for i, s in enumerate(train) if i % FOLDS == k] for k in range(FOLDS)]
    written_folds = [[(w, t) for text_id, w, t in written if text_fold[text_id] == k]
                     for k in range(FOLDS)]
    zero = [0] * 5

    def recognizer(weight: int, k: int) -> PersonNameRecognizer:
        model = folder / f"w{weight}" / f"fold{k}.crfsuite"
        if not model.exists():
            model.parent.mkdir(parents=True, exist_ok=True)
            rest = [s for i, s in enumerate(train) if i % FOLDS != k] + generated
            rest += [s for j in range(FOLDS) if j != k for s in written_folds[j]] * weight
            NameTagger().fit([w for w, _ in rest], [t for _, t in rest]).save(model)
        return PersonNameRecognizer(model=model)

    grids: dict[int, dict[float, tuple[Counts, Counts]]] = {}
    for weight in weights:
        grid = {threshold: (zero, zero) for threshold in THRESHOLDS}
        for k in range(FOLDS):
            found = recognizer(weight, k)
            for threshold in THRESHOLDS:
                found.threshold = threshold
                news, text = grid[threshold]
                grid[threshold] = (add(news, counts(found, news_folds[k])),
                                   add(text, counts(found, written_folds[k])))
            print(f"weight {weight}: fold {k + 1} of {FOLDS} done", flush=True)
        grids[weight] = grid
    news_names = sum(t == "PER" for _w, tags in train for t in tags)
    written_names = sum(t == "PER" for _i, _w, tags in written for t in tags)
    print(f"\n{FOLDS}-fold CV: NER train ({len(train)} sentences, {news_names} name tokens) "
          f"and written text ({len(written)} sentences in {len(texts)} texts, "
          f"{written_names} name tokens), every rule on\n")
    chosen: dict[int, float] = {}
    for weight, grid in grids.items():
        print(f"Written text weight {weight}\n")
        print(HEADER.format("threshold"))
        for threshold, (news, text) in grid.items():
            print(row(f"{threshold:.2f}", news, text))
        pick = choose(grid)
        if pick is not None:
            chosen[weight] = pick
        print(f"\nlowest threshold with precision ≥ {TARGET_PRECISION} on both: {pick}\n")
    if not chosen:
        print("No weight reaches the precision target on both parts.")
        return

    def merit(weight: int) -> tuple[float, float, int]:
        news, text = grids[weight][chosen[weight]]
        return min(recall(news), recall(text)), recall(news) + recall(text), -weight

    best = max(chosen, key=merit)
    threshold = chosen[best]
    print(f"Chosen: weight {best}, threshold {threshold}\n")
    if args.threshold is not None:
        threshold = args.threshold
        print(f"Rules left out at the threshold {threshold}\n")
    zipfs = [float(z) for z in args.zipfs.split(",")]
    settings = [("every rule", set(RULES), COMMON_ZIPF)] + [
        (f"without {rule}", set(RULES) - {rule}, COMMON_ZIPF) for rule in sorted(RULES)] + [
        (f"lower_common at Zipf {z:g}", set(RULES), z) for z in zipfs if z != COMMON_ZIPF]
    # The news folds again in lower case: names written as chat writes them, where the
    # lower_common rule decides (it touches only words written in lower case).
    lower_folds = [[([w.lower() for w in words], tags) for words, tags in fold]
                   for fold in news_folds]
    ablation = {label: (zero, zero, zero) for label, _r, _z in settings}
    for k in range(FOLDS):
        found = recognizer(best, k)
        found.threshold = threshold
        for label, rules, zipf in settings:
            found.rules = rules
            found.common_zipf = zipf
            news, text, lower = ablation[label]
            ablation[label] = (add(news, counts(found, news_folds[k])),
                               add(text, counts(found, written_folds[k])),
                               add(lower, counts(found, lower_folds[k])))
        print(f"rules: fold {k + 1} of {FOLDS} done", flush=True)
    print(HEADER3.format("rules"))
    for label, (news, text, lower) in ablation.items():
        print(row3(label, news, text, lower))


if __name__ == "__main__":
    main()
