"""Autolarm: flag pupils' free-text answers that express danger, for a person to review.

Three levels (urgent, concern, none) and ten categories; Swedish rules that understand
negation, idioms, teaching contexts and misspellings; a classifier on multilingual
embeddings and character n-grams; the rules add to the classifier and never veto it.
A human decides every case.
"""

from kraftsamling.autolarm._actions import ActionGuide, load_actions
from kraftsamling.autolarm._detector import Assessment, Detector, Evidence, screening_threshold
from kraftsamling.autolarm._model import AutolarmClassifier, E5Embedder, embed
from kraftsamling.autolarm._rules import (
    DEFAULT_RULES,
    FUZZY_STEM_MIN,
    Pattern,
    Rule,
    RuleHit,
    RuleSet,
    is_dictionary_word,
)
from kraftsamling.autolarm._seed import SeedAnswer, load_seed
from kraftsamling.autolarm._service import (
    LABELS_SCHEMA,
    OUTPUT_COLUMNS,
    ScoreStats,
    load_detector,
    score_file,
    score_texts,
    train_from_file,
    train_seed_detector,
)
from kraftsamling.autolarm._taxonomy import CATEGORY_LABELS, LEVEL_LABELS, Category, Level

__all__ = [
    "CATEGORY_LABELS",
    "DEFAULT_RULES",
    "FUZZY_STEM_MIN",
    "LABELS_SCHEMA",
    "LEVEL_LABELS",
    "OUTPUT_COLUMNS",
    "ActionGuide",
    "Assessment",
    "AutolarmClassifier",
    "Category",
    "Detector",
    "E5Embedder",
    "Evidence",
    "Level",
    "Pattern",
    "Rule",
    "RuleHit",
    "RuleSet",
    "ScoreStats",
    "SeedAnswer",
    "embed",
    "is_dictionary_word",
    "load_actions",
    "load_detector",
    "load_seed",
    "score_file",
    "score_texts",
    "screening_threshold",
    "train_from_file",
    "train_seed_detector",
]
