"""Autolarm: flag pupils' free-text answers that express danger, for a person to review.

Three levels (urgent, concern, none) and ten categories; Swedish rules that understand
negation, idioms, teaching contexts and misspellings; a classifier on multilingual
embeddings and character n-grams; the rules add to the classifier and never veto it.
A human decides every case.
"""

from typing import TYPE_CHECKING

from kraftsamling._lazy import lazy_exports

if TYPE_CHECKING:
    from kraftsamling.autolarm._actions import ActionGuide, load_actions
    from kraftsamling.autolarm._detector import Assessment, Detector, Evidence, screening_threshold
    from kraftsamling.autolarm._facade import AutolarmService, LinkRow
    from kraftsamling.autolarm._model import AutolarmClassifier, E5Embedder, embed
    from kraftsamling.autolarm._notify import deliver_pending
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
        ANSWERS_SCHEMA,
        LABELS_SCHEMA,
        OUTPUT_COLUMNS,
        ScoreStats,
        load_detector,
        read_labels,
        rules_path,
        score_file,
        score_texts,
        seed_embeddings,
        shipped_embeddings,
        train_from_file,
        train_from_labels,
        train_seed_detector,
        write_shipped_embeddings,
    )
    from kraftsamling.autolarm._taxonomy import CATEGORY_LABELS, LEVEL_LABELS, Category, Level

__all__ = [
    "ANSWERS_SCHEMA",
    "CATEGORY_LABELS",
    "DEFAULT_RULES",
    "FUZZY_STEM_MIN",
    "LABELS_SCHEMA",
    "LEVEL_LABELS",
    "OUTPUT_COLUMNS",
    "ActionGuide",
    "Assessment",
    "AutolarmClassifier",
    "AutolarmService",
    "Category",
    "Detector",
    "E5Embedder",
    "Evidence",
    "Level",
    "LinkRow",
    "Pattern",
    "Rule",
    "RuleHit",
    "RuleSet",
    "ScoreStats",
    "SeedAnswer",
    "deliver_pending",
    "embed",
    "is_dictionary_word",
    "load_actions",
    "load_detector",
    "load_seed",
    "read_labels",
    "rules_path",
    "score_file",
    "score_texts",
    "screening_threshold",
    "seed_embeddings",
    "shipped_embeddings",
    "train_from_file",
    "train_from_labels",
    "train_seed_detector",
    "write_shipped_embeddings",
]


# Each name's module loads when the name is first used (PEP 562): registering the plugin or
# running an unrelated command imports none of the module's model code.
__getattr__ = lazy_exports(__name__, {
    "seed_embeddings": "kraftsamling.autolarm._service",
    "shipped_embeddings": "kraftsamling.autolarm._service",
    "write_shipped_embeddings": "kraftsamling.autolarm._service",
    "is_dictionary_word": "kraftsamling.autolarm._rules",
    "FUZZY_STEM_MIN": "kraftsamling.autolarm._rules",
    "screening_threshold": "kraftsamling.autolarm._detector",
    "ANSWERS_SCHEMA": "kraftsamling.autolarm._service",
    "ActionGuide": "kraftsamling.autolarm._actions",
    "Assessment": "kraftsamling.autolarm._detector",
    "AutolarmClassifier": "kraftsamling.autolarm._model",
    "AutolarmService": "kraftsamling.autolarm._facade",
    "CATEGORY_LABELS": "kraftsamling.autolarm._taxonomy",
    "Category": "kraftsamling.autolarm._taxonomy",
    "DEFAULT_RULES": "kraftsamling.autolarm._rules",
    "Detector": "kraftsamling.autolarm._detector",
    "E5Embedder": "kraftsamling.autolarm._model",
    "Evidence": "kraftsamling.autolarm._detector",
    "LABELS_SCHEMA": "kraftsamling.autolarm._service",
    "LEVEL_LABELS": "kraftsamling.autolarm._taxonomy",
    "Level": "kraftsamling.autolarm._taxonomy",
    "LinkRow": "kraftsamling.autolarm._facade",
    "OUTPUT_COLUMNS": "kraftsamling.autolarm._service",
    "Pattern": "kraftsamling.autolarm._rules",
    "Rule": "kraftsamling.autolarm._rules",
    "RuleHit": "kraftsamling.autolarm._rules",
    "RuleSet": "kraftsamling.autolarm._rules",
    "ScoreStats": "kraftsamling.autolarm._service",
    "SeedAnswer": "kraftsamling.autolarm._seed",
    "deliver_pending": "kraftsamling.autolarm._notify",
    "embed": "kraftsamling.autolarm._model",
    "load_actions": "kraftsamling.autolarm._actions",
    "load_detector": "kraftsamling.autolarm._service",
    "load_seed": "kraftsamling.autolarm._seed",
    "read_labels": "kraftsamling.autolarm._service",
    "rules_path": "kraftsamling.autolarm._service",
    "score_file": "kraftsamling.autolarm._service",
    "score_texts": "kraftsamling.autolarm._service",
    "train_from_file": "kraftsamling.autolarm._service",
    "train_from_labels": "kraftsamling.autolarm._service",
    "train_seed_detector": "kraftsamling.autolarm._service",
})
