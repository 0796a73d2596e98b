"""One model card shape for every trained model, and the registry of cards.

A card's prose (purpose, what it must not be used for, failure modes, oversight) is here, as
English message ids the Swedish catalogue translates. Its measured figures are not: they live
in a small data file per module (``<module>/data/card.toml``) so that new measurements change
a file, not code. A figure names its data set, whether that set is independent (written by
someone who has not seen the code, rules or training data, or public data not tuned on), the
command that produced it and the date. A card without an independent figure says so.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from datetime import date as Day
from pathlib import Path
from typing import Any, Literal

from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kraftsamling import __version__

__all__ = [
    "CARDS",
    "MODULES",
    "CardLive",
    "CardTable",
    "Figure",
    "ModelCard",
    "Text",
    "card_context",
    "card_data_file",
    "cards_for",
    "installation_live",
    "load_figures",
    "render_cards",
]

PACKAGE = Path(__file__).parent.parent
TEMPLATES = Path(__file__).parent / "templates"
MODULES = ("privacy", "autolarm", "chat", "twin", "cases")
Language = Literal["sv", "en"]


def N_(message: str) -> str:
    """Marks a message id for the catalogue; translated when the card is rendered."""
    return message


class Text(BaseModel):
    """A text a data file gives in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    sv: str
    en: str

    def __call__(self, language: str) -> str:
        return self.sv if language == "sv" else self.en


Cell = str | int | float | Text | None


class Figure(BaseModel):
    """One measured figure, with where and how it was measured."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    card: str
    name: Text
    value: float | None = Field(
        default=None, description="None: not yet measured (the card says so).")
    digits: int = Field(default=3, ge=0, le=6)
    percent: bool = False
    dataset: Text
    independent: bool
    command: str = ""
    date: Day | None = None
    target: str = ""
    note: Text | None = None


class CardTable(BaseModel):
    """A table of figures: per category, per group or per type."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    card: str
    caption: Text
    columns: list[Text]
    rows: list[list[Cell]]
    dataset: Text
    independent: bool
    command: str = ""
    date: Day | None = None
    groups: bool = Field(default=False, description="Rows are groups of people.")
    formats: list[str] = Field(
        default_factory=list,
        description="Per column how a number is shown: '' (decimal), 'percent' (a share 0–1 "
                    "as a percentage) or 'signed' (with + or −).")


class CardFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    figure: list[Figure] = Field(default_factory=list)
    table: list[CardTable] = Field(default_factory=list)


class CardLive(BaseModel):
    """What a trained model reports about itself (the organisation's own data)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    source: Text
    figures: list[Figure] = Field(default_factory=list)
    tables: list[CardTable] = Field(default_factory=list)
    notes: list[str | Text] = Field(default_factory=list)
    trained_at: datetime | None = None
    synthetic: bool = False


class ModelCard(BaseModel):
    """The shape every model card has. Prose fields are catalogue message ids."""

    model_config = ConfigDict(frozen=True)
    id: str
    module: str
    title: str
    estimators: tuple[str, ...]
    users: tuple[str, ...]
    purpose: str
    not_for: tuple[str, ...]
    training_data: str
    written_by: str
    groups: str
    failure_modes: tuple[str, ...]
    oversight: str
    ai_act: str
    retraining: str


def card_data_file(module: str) -> Path:
    return PACKAGE / module / "data" / "card.toml"


def load_figures(module: str, path: Path | None = None) -> CardFile:
    """The measured figures of a module's cards, validated; Swedish errors when wrong."""
    file = path or card_data_file(module)
    if not file.is_file():
        return CardFile()
    try:
        with file.open("rb") as handle:
            raw = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"'{file}' är inte giltig TOML: {error}") from None
    try:
        parsed = CardFile.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                             for e in error.errors())
        raise ValueError(f"Modellkortsfilen '{file}' har fel: {problems}") from None
    known = {card.id for card in CARDS if card.module == module}
    named = [f.card for f in parsed.figure] + [t.card for t in parsed.table]
    for card_id in named:
        if card_id not in known:
            raise ValueError(f"Modellkortsfilen '{file}' nämner okänt kort '{card_id}'. "
                             f"Kända: {', '.join(sorted(known))}.")
    return parsed


def cards_for(module: str) -> list[ModelCard]:
    if module not in MODULES:
        raise ValueError(f"Okänd modul '{module}'. Kända: {', '.join(MODULES)}.")
    return [card for card in CARDS if card.module == module]


def _number(value: float | None, figure: Figure | None, language: str, digits: int = 3) -> str:
    if value is None:
        return "–"
    if figure is not None:
        digits = figure.digits
        if figure.percent:
            value = 100 * value
    text = format_decimal(round(value, digits), format=f"#,##0.{'0' * digits}" if digits else
                          "#,##0", locale="sv_SE" if language == "sv" else "en_GB")
    return f"{text} %" if figure is not None and figure.percent else text


DOT_DECIMAL = re.compile(r"(?<![\w.])(\d+)\.(\d+)(?![\w.])")


def _percent(value: float, language: str) -> str:
    from babel.numbers import format_percent

    return format_percent(value, format="#,##0\xa0%" if language == "sv" else "#,##0%",
                          locale="sv_SE" if language == "sv" else "en_GB")


def card_context(module: str, language: str, translate: Callable[..., str], *,
                 live: Mapping[str, CardLive] | None = None,
                 figures: CardFile | None = None) -> dict[str, Any]:
    """What the card template shows, as data (the web page and the HTML file share it)."""
    data = figures if figures is not None else load_figures(module)
    entries = []
    for card in cards_for(module):
        card_figures = [f for f in data.figure if f.card == card.id]
        entries.append({
            "card": card,
            "figures": card_figures,
            "tables": [t for t in data.table if t.card == card.id],
            "has_independent": any(f.independent and f.value is not None
                                   for f in card_figures),
            "dates": sorted({f.date for f in card_figures if f.date is not None}),
            "live": (live or {}).get(card.id),
        })

    from kraftsamling.web import label

    def cell(value: Cell, shape: str = "") -> str:
        if isinstance(value, Text):
            return value(language)
        if isinstance(value, bool) or value is None or isinstance(value, str):
            if isinstance(value, str):  # a stored code (a category, an intervention) in words
                for kind in ("category", "intervention"):
                    if label(value, kind, language) != value:
                        return label(value, kind, language)
            return "–" if value is None else str(value)
        if isinstance(value, int):
            return str(value)
        if shape == "percent":
            return _percent(value, language)
        if shape == "signed":
            return ("+" if value >= 0 else "−") + _number(abs(value), None, language, 1)
        return _number(value, None, language, 2)

    def target(text: str) -> str:
        """A target from a data file ("≥ 0.95") with the language's decimal mark."""
        return DOT_DECIMAL.sub(r"\1,\2", text) if language == "sv" else text

    def note(value: str | Text) -> str:
        return value(language) if isinstance(value, Text) else value

    return {"entries": entries, "module": module, "lang": language, "_": translate,
            "figure_value": lambda f: _number(f.value, f, language),
            "cell": cell, "target": target, "note_text": note, "version": __version__,
            "role_label": lambda role: _role_label(role, language),
            "generated_at": datetime.now(UTC)}


def _role_label(role: str, language: str) -> str:
    from kraftsamling.web import label

    return label(role, "role", language)


def render_cards(module: str, language: str = "sv", *,
                 live: Mapping[str, CardLive] | None = None) -> str:
    """A module's cards as one self-contained HTML page."""
    from kraftsamling.web import translator

    environment = Environment(loader=FileSystemLoader(TEMPLATES),
                              autoescape=select_autoescape(["html"]))
    context = card_context(module, language, translator(language), live=live)
    return environment.get_template("card_page.html").render(**context)


def installation_live(data_dir: Path, module: str) -> dict[str, CardLive]:
    """What this installation's trained models report about themselves (cases: the held-out
    figures and the fairness audit of the economic-assistance model, if one is trained)."""
    if module != "cases":
        return {}
    from kraftsamling.cases import CaseModels, case_model_path, live_card

    path = case_model_path(data_dir, "economic-assistance")
    if not path.is_file():
        return {}
    return live_card(CaseModels.load(path))


def _card(**fields: Any) -> ModelCard:
    return ModelCard(**fields)



CARDS: Sequence[ModelCard] = (
    _card(
        id="privacy.name_tagger", module="privacy", title=N_("Name tagger (privacy)"),
        estimators=("NameTagger",), users=("admin", "analyst"),
        purpose=N_("Finds people's names in Swedish free text (case notes, chats, survey "
                   "answers) so that they are replaced by pseudonyms before anything is "
                   "stored. A conditional random field over word shape, name lists and cue "
                   "words, beside rule-based recognisers for personnummer, phone numbers, "
                   "e-mail, addresses and postcodes."),
        not_for=(N_("Deciding that a text is free of personal data: a missed name stays in "
                    "clear, so pseudonymised text is still personal data."),
                 N_("Identifying or profiling the people it finds."),
                 N_("Languages other than Swedish: in English text common English words are "
                    "excluded, but names there are found less reliably.")),
        training_data=N_("The train split of the public Swedish NER corpus (news text, 2012) "
                         "and name lists shipped with the package; the threshold was chosen "
                         "on the last tenth of the train split."),
        written_by=N_("Journalists (the corpus) and Statistics Sweden's name statistics (the "
                      "lists); the generated test texts by the Kraftsamling team."),
        groups=N_("Names are not tagged by group; recall by origin of the name has not been "
                  "measured. Names that are also common words (per, jan, hans) in lower case "
                  "are the known misses."),
        failure_modes=(N_("Lower-case chat without cue words: recall 0.92 on generated "
                          "lower-case texts."),
                       N_("Names that are ordinary words (Per, Hans, Bill) can be missed or, "
                          "in English text, over-redacted."),
                       N_("Organisation names and nicknames are not personal names to the "
                          "model.")),
        oversight=N_("Admins resolve a pseudonym one at a time, with a reason, in the audit "
                     "log. Analysts see the pseudonymised text and can report a missed name; "
                     "the recognisers are configured in a file the organisation controls."),
        ai_act=N_("Not a high-risk system: pseudonymisation is not listed in Annex III. It is "
                  "a safeguard for the other modules."),
        retraining=N_("Retrain (kraftsamling privacy train-names) when the texts change "
                      "kind, for example from news-like notes to chat."),
    ),
    _card(
        id="autolarm.detector", module="autolarm", title=N_("Autolarm danger detector"),
        estimators=("Detector", "AutolarmClassifier"), users=("reviewer",),
        purpose=N_("Flags pupils' free-text survey answers that express danger (suicidal "
                   "thoughts, self-harm, abuse, threats, bullying) as urgent or concern, so "
                   "that school staff read them first and in time. Rules written for Swedish "
                   "pupils' language decide; a classifier on multilingual-e5-small embeddings "
                   "adds answers the rules miss only where it is confident."),
        not_for=(N_("Deciding anything about a pupil without a person reading the answer."),
                 N_("Grading, disciplining or monitoring pupils, or identifying who wrote an "
                    "anonymous answer."),
                 N_("Replacing the school's duty to report concern (socialtjänstlagen 14 "
                    "kap. 1 §): an answer not flagged may still call for action.")),
        training_data=N_("A seed set of answers written by the Kraftsamling team (original, "
                         "chat-style and misspelt forms), and the answers the organisation's "
                         "reviewers label in the app."),
        written_by=N_("The Kraftsamling team wrote the seed answers and the rules: the "
                      "held-out figures measure new sentences and spellings by the same "
                      "authors, not real pupils' language."),
        groups=N_("Responses are anonymous (no name, IP address or cookie id), so no group of "
                  "pupils can be measured; figures per category of danger are shown "
                  "instead."),
        failure_modes=(N_("Indirect descriptions without a danger word (\"I am not allowed to "
                          "see a doctor though it hurts after the blows\") were missed."),
                       N_("Threats to others at school (\"someone brings a knife\") were "
                          "missed by the rules."),
                       N_("Honour-related answers were flagged but filed under abuse at "
                          "home.")),
        oversight=N_("Every flagged answer waits in a review queue with the time left to "
                     "respond; a reviewer acknowledges, escalates or resolves it, and every "
                     "view is audited. Reviewers can label answers to retrain the model."),
        ai_act=N_("Concerns children in education. Not listed in Annex III point 3 (it does "
                  "not decide admission, assess learning or monitor tests); the organisation "
                  "confirms the classification. Arts. 9-15 are applied as if high-risk."),
        retraining=N_("Retrain (kraftsamling autolarm train) after reviewers have labelled "
                      "new answers, and when the rules file changes."),
    ),
    _card(
        id="chat.problem", module="chat", title=N_("Chat problem-type model"),
        estimators=("ChatModel", "ProblemTypeClassifier"), users=("coordinator",),
        purpose=N_("Estimates what a support chat is about (problem type) from the first "
                   "words the help-seeker writes, for coordinators' aggregate insights: "
                   "which problems grow, where volunteers need training."),
        not_for=(N_("Decisions about a single help-seeker or volunteer."),
                 N_("Triage of a chat in progress: the risk rules, not this model, flag "
                    "danger."),
                 N_("Diagnosis of any kind.")),
        training_data=N_("ESConv (public English emotional-support chats with the "
                         "help-seeker's own problem label), pseudonymised as in use; an "
                         "organisation can retrain on its own labelled chats."),
        written_by=N_("Crowd workers for the ESConv authors; none of them has seen "
                      "Kraftsamling's code."),
        groups=N_("The chats carry no group attributes; F1 per problem type is shown "
                  "instead."),
        failure_modes=(N_("Rare problem types (0-4 test chats) are mostly wrong; the five "
                          "common types have F1 0.67-0.89."),
                       N_("Trained on English; on Swedish chats it reads through multilingual "
                          "embeddings and has not been measured.")),
        oversight=N_("Coordinators see aggregates and open single conversations only through "
                     "an audited view; nothing is decided for a person."),
        ai_act=N_("Minimal risk: aggregate insight for an NGO, not a use listed in Annex "
                  "III. It reads text, not biometric data, so it is not emotion recognition "
                  "in the sense of art. 3(39)."),
        retraining=N_("Retrain (kraftsamling chat train) on the organisation's own labelled "
                      "chats before relying on per-type shares."),
    ),
    _card(
        id="chat.mood", module="chat", title=N_("Chat mood, experience and sentiment models"),
        estimators=("MoodEstimator", "SentimentClassifier"), users=("coordinator",),
        purpose=N_("Estimates the help-seeker's distress at the start and end of a chat and "
                   "how the chat was experienced, where the exit survey is missing, for "
                   "aggregate follow-up of the service. The survey answer, where there is "
                   "one, always wins."),
        not_for=(N_("Judging a volunteer's performance from a single chat."),
                 N_("Assessing a person's mental state or risk."),
                 N_("Emotion recognition from voice, face or other biometric data (it reads "
                    "only text).")),
        training_data=N_("ESConv's survey answers (initial and final emotion intensity, "
                         "empathy and relevance ratings); the sentiment model on the public "
                         "Swedish sentiment corpus (train and validation)."),
        written_by=N_("ESConv's crowd workers and the Swedish sentiment corpus's authors."),
        groups=N_("No group attributes in the data; not measured per group."),
        failure_modes=(N_("End mood and experience from text are barely better than the "
                          "mean: use the survey."),
                       N_("Start mood ranks chats only weakly (Spearman about 0.3).")),
        oversight=N_("Shown as estimates beside the survey, in aggregates; the source (survey "
                     "or text) is stored for each conversation."),
        ai_act=N_("Minimal risk: not listed in Annex III, and not an emotion recognition "
                  "system under art. 3(39) because it reads no biometric data; art. 5(1)(f) "
                  "does not apply."),
        retraining=N_("Retrain with the organisation's own survey answers when the survey "
                      "or the service changes."),
    ),
    _card(
        id="twin.prediction", module="twin", title=N_("Class twin: next-term victimisation "
                                                      "risk"),
        estimators=("VictimisationModel",), users=("reviewer",),
        purpose=N_("Estimates, from a class's friendship and victimisation surveys, which "
                   "pupils risk being victimised next term, so that school staff can plan "
                   "support early."),
        not_for=(N_("Labelling pupils as bullies or predicting who will offend (art. 5(1)(d) "
                    "concerns offending; this model predicts being victimised)."),
                 N_("Decisions about a pupil without staff who know the class."),
                 N_("Comparing or ranking schools or teachers.")),
        training_data=N_("The organisation's own survey waves (pupil ids as keyed hashes); "
                         "the figures come from synthetic schools generated by the "
                         "Kraftsamling team."),
        written_by=N_("The Kraftsamling team (synthetic schools); no real longitudinal "
                      "friendship data was available."),
        groups=N_("Not measured per group of pupils: the synthetic schools carry no group "
                  "attributes."),
        failure_modes=(N_("How predictable victimisation is depends on the true dynamics: "
                          "with a weaker vulnerability effect AUC was about 0.68."),
                       N_("A pupil absent from a wave has no risk estimate.")),
        oversight=N_("School staff (reviewers) see the risk list per class in an audited "
                     "view and decide what to do; the model suggests, they know the class."),
        ai_act=N_("Concerns children in education and profiles pupils. Not listed in Annex "
                  "III point 3; the organisation confirms the classification. Arts. 9-15 "
                  "are applied as if high-risk."),
        retraining=N_("Fitted anew on each import of waves."),
    ),
    _card(
        id="twin.term_model", module="twin", title=N_("Class twin: term simulation"),
        estimators=("ClassroomModel",), users=("reviewer",),
        purpose=N_("An agent-based model (Mesa) of a class over a term, with rates fitted to "
                   "the class's own waves, to compare what an intervention (buddy scheme, "
                   "seating, adult attention) would likely change."),
        not_for=(N_("Predicting what one pupil will do."),
                 N_("Proof that an intervention works: the simulation shows what the fitted "
                    "rates imply.")),
        training_data=N_("Rates fitted to the class's two most recent waves; checked on "
                         "synthetic schools."),
        written_by=N_("The Kraftsamling team (model and synthetic schools)."),
        groups=N_("Not measured per group of pupils."),
        failure_modes=(N_("Interventions' effects are assumptions stated in the model, not "
                          "estimates from data."),
                       N_("Small classes give wide ranges between runs.")),
        oversight=N_("Staff compare interventions side by side with their ranges; nothing is "
                     "applied automatically."),
        ai_act=N_("Concerns children in education; not listed in Annex III. A planning aid "
                  "for staff; the organisation confirms the classification."),
        retraining=N_("Refitted on each import of waves."),
    ),
    _card(
        id="cases.risk", module="cases", title=N_("Cases: risk model"),
        estimators=("RiskModel",), users=("caseworker", "unit_manager"),
        purpose=N_("For caseworkers in economic assistance and in social services for "
                   "children: which households risk long-term assistance (at least 10 of 12 "
                   "months), or which children risk a new report within 12 months, so that "
                   "support is offered early. Calibrated LightGBM with reasons in plain "
                   "language (SHAP)."),
        not_for=(N_("Control, fraud suspicion or reducing anyone's assistance."),
                 N_("Deciding eligibility: the caseworker decides and records why."),
                 N_("Reading forbidden features (citizenship, language, ethnicity, religion): "
                    "the register refuses them.")),
        training_data=N_("The organisation's own case file, pseudonymised (ids as keyed "
                         "hashes, no free text); a quarter held out for the figures below. The "
                         "shipped figures come from synthetic households with known truth."),
        written_by=N_("The organisation's own records; the synthetic generator by the "
                      "Kraftsamling team."),
        groups=N_("Selection rate, true and false positive rates and calibration per sex, "
                  "age band, birth region and district, with confidence intervals, from the "
                  "trained model's own fairness audit (limits in the register)."),
        failure_modes=(N_("A risk is a share among similar people, not a verdict on a "
                          "person."),
                       N_("Unmeasured circumstances (motivation, network) are not in the "
                          "model."),
                       N_("The model must be retrained and audited when rules, interventions "
                          "or the target group change.")),
        oversight=N_("Every view of a person is audited. The caseworker records the decision "
                     "and whether it followed the recommendation; override rates are shown "
                     "to the unit manager."),
        ai_act=N_("High-risk under Annex III point 5(a): used by public authorities to assess "
                  "eligibility for essential public assistance benefits and services. Arts. "
                  "9-15 apply; the organisation is the deployer (art. 26)."),
        retraining=N_("Retrain (kraftsamling cases train) at least yearly and whenever rules "
                      "or interventions change; the card then shows the new audit."),
    ),
    _card(
        id="cases.effect", module="cases", title=N_("Cases: intervention effect models"),
        estimators=("EffectEstimator", "GaussianProcessEffect"),
        users=("caseworker", "unit_manager"),
        purpose=N_("Estimates which intervention (job centre, language placement, studies, "
                   "subsidised employment; or the social-services interventions) would most "
                   "likely help each person, from how interventions have been given so far, "
                   "and plans places within capacity."),
        not_for=(N_("Withholding an intervention because its estimated effect is small."),
                 N_("Effects where groups do not overlap: the model refuses to estimate "
                    "them.")),
        training_data=N_("The organisation's own case file (who got which intervention and "
                         "the outcome); checked on the public LaLonde and IHDP data and on "
                         "synthetic households."),
        written_by=N_("LaLonde and IHDP: published evaluation data, never tuned on; "
                      "synthetic households: the Kraftsamling team."),
        groups=N_("The allocation plan can hold a floor per group (for example district); "
                  "its cost is shown. Per-group effects are not reported."),
        failure_modes=(N_("Effects estimated from past practice can be biased by what is not "
                          "measured."),
                       N_("The plan reaches 75 % of an oracle's benefit on synthetic data, "
                          "short of the 90 % target, partly because birth region may not be "
                          "read.")),
        oversight=N_("The caseworker sees each option's estimated benefit with its interval "
                     "and decides; the unit manager sees the plan beside current practice."),
        ai_act=N_("High-risk under Annex III point 5(a), with the risk model."),
        retraining=N_("Retrain with the risk model."),
    ),
)
