"""Synthetic Swedish support chats with known answers, for tests, the demo and benchmarks.

Each conversation has a problem (ESConv's problem types, so the same models apply), a mood at
the start and end, an experience score, and sometimes a risk marker — all known, so every
estimate can be checked. The texts are written from templates and are not real chats.
"""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from faker import Faker

from kraftsamling.chat._io import Conversation, Message

__all__ = ["synthetic_conversations", "write_canonical", "write_survey"]

_PROBLEMS: dict[str, tuple[list[str], list[str]]] = {
    "ongoing depression": (
        ["jag mår så dåligt hela tiden", "allt känns tomt och meningslöst",
         "jag har varit deppig i flera månader", "jag orkar inte göra någonting längre"],
        ["jag ligger i sängen hela dagarna", "inget känns roligt längre",
         "jag gråter varje kväll utan anledning", "jag känner mig hopplös"]),
    "job crisis": (
        ["jag blev uppsagd från jobbet", "min chef behandlar mig illa på arbetet",
         "jag är arbetslös sedan i våras", "jag är rädd att förlora jobbet"],
        ["jag vet inte hur jag ska betala hyran nu", "jag söker jobb men får bara nej",
         "kollegorna pratar bakom min rygg", "jag kan inte sova för att jag tänker på jobbet"]),
    "breakup with partner": (
        ["min pojkvän gjorde slut med mig", "min flickvän lämnade mig förra veckan",
         "vi har separerat efter tio år", "jag kommer inte över mitt ex"],
        ["jag saknar honom hela tiden", "hon har redan en ny", "jag känner mig så ensam nu",
         "jag förstår inte vad jag gjorde fel"]),
    "problems with friends": (
        ["mina vänner fryser ut mig", "min bästa kompis pratar inte med mig längre",
         "jag har inga vänner kvar", "kompisarna skrattar åt mig"],
        ["jag sitter ensam på rasterna", "de har en gruppchatt utan mig",
         "jag vet inte vem jag kan lita på", "jag känner mig utanför hela tiden"]),
    "academic pressure": (
        ["jag är så stressad över proven", "jag kommer inte klara betygen",
         "plugget växer mig över huvudet", "jag har ångest inför skolan varje dag"],
        ["lärarna förväntar sig för mycket", "jag pluggar till två på natten",
         "mina föräldrar kräver bara A", "jag har panik inför examen"]),
    "Sleep Problems": (
        ["jag kan inte sova", "jag ligger vaken hela nätterna", "jag har mardrömmar varje natt"],
        ["jag somnar först vid fyra", "jag är så trött i skolan", "sömnen är helt förstörd"]),
    "Alcohol Abuse": (
        ["jag dricker för mycket alkohol", "pappa är full varje kväll",
         "jag tror jag är beroende av alkohol"],
        ["jag dricker för att slippa tänka", "jag har försökt sluta dricka",
         "det blir bråk när han dricker"]),
    "conflict with parents": (
        ["jag bråkar med mamma hela tiden", "mina föräldrar förstår mig inte",
         "pappa skriker på mig"],
        ["jag vill flytta hemifrån", "de lyssnar aldrig på mig", "det är kaos hemma"]),
    "Appearance Anxiety": (
        ["jag hatar min kropp", "jag tycker att jag är så ful", "jag känner mig tjock"],
        ["jag vågar inte gå till gymmet", "jag jämför mig med alla på instagram",
         "jag slutar äta ibland"]),
}
_RISK = ["jag vill inte leva längre", "ibland skär jag mig", "jag tänker på självmord",
         "han slår mig när han är full"]
_GREETINGS = ["hej", "hallå", "hej hej", "hej, är det någon där?"]
_VOLUNTEER = ["Hej, välkommen till chatten. Vad vill du prata om?",
              "Det låter jättejobbigt. Berätta mer?", "Hur länge har det varit så?",
              "Jag förstår att det känns tungt.", "Finns det någon du kan prata med?",
              "Vad skulle hjälpa dig just nu?", "Det är modigt att du skriver hit.",
              "Hur mår du just nu när vi pratar?"]
_GOOD_END = ["tack, det hjälpte verkligen att prata", "tack så mycket, jag känner mig lugnare nu",
             "tack för att du lyssnade, hej då", "det känns lite bättre nu, tack"]
_BAD_END = ["det här hjälper inte", "du förstår inte", "glöm det", "jag orkar inte mer"]
_WORDS = {5: ["helt förstörd", "totalt slut", "så jävla dåligt"],
          4: ["väldigt dåligt", "jättedåligt", "riktigt kasst"],
          3: ["ganska dåligt", "inte så bra", "lite kasst"],
          2: ["lite orolig", "okej ändå", "lite nere"],
          1: ["ganska bra faktiskt", "helt okej", "rätt bra"]}


def synthetic_conversations(n: int, *, seed: int = 0, start: datetime | None = None,
                            volunteers: int = 6, risk_share: float = 0.08
                            ) -> list[Conversation]:
    """``n`` conversations with labels (problem_type, intensities, experience, risk)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    moment = start or datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    problems = list(_PROBLEMS)
    weights = [22, 18, 15, 12, 11, 6, 6, 5, 5]
    conversations = []
    for number in range(n):
        problem = rng.choices(problems, weights)[0]
        openers, details = _PROBLEMS[problem]
        initial = rng.choices([2, 3, 4, 5], [5, 25, 40, 30])[0]
        risk = rng.random() < risk_share
        helped = rng.random() < (0.75 if not risk else 0.5)
        final = (max(1, initial - rng.choice([1, 2, 2, 3])) if helped
                 else min(5, initial + rng.choice([0, 0, 1])))
        experience = rng.choice([4, 5]) if helped else rng.choice([1, 2, 3])
        moment += timedelta(minutes=rng.randint(5, 120))
        if rng.random() < 0.3:  # evenings and nights are busy
            moment = moment.replace(hour=rng.choice([21, 22, 23, 0, 1]))
        seeker = [rng.choice(_GREETINGS), rng.choice(openers),
                  f"jag mår {rng.choice(_WORDS[initial])}"]
        if rng.random() < 0.3:
            seeker.append(f"jag heter {fake.first_name()} förresten")
        seeker += rng.sample(details, k=min(len(details), rng.randint(1, 3)))
        if risk:
            seeker.append(rng.choice(_RISK))
        seeker.append(f"nu mår jag {rng.choice(_WORDS[final])}")
        if rng.random() < 0.85:
            seeker.append(rng.choice(_GOOD_END if helped else _BAD_END))
        messages: list[Message] = []
        clock = moment
        for index, text in enumerate(seeker):
            clock += timedelta(seconds=rng.randint(20, 240))
            messages.append(Message("seeker", text, clock))
            if index < len(seeker) - 1:
                clock += timedelta(seconds=rng.randint(20, 180))
                messages.append(Message("volunteer", rng.choice(_VOLUNTEER), clock))
        conversations.append(Conversation(
            f"s{number:05d}", messages, volunteer_id=f"v{rng.randrange(volunteers) + 1}",
            labels={"problem_type": problem, "initial_emotion_intensity": initial,
                    "final_emotion_intensity": final, "mood_before": 6 - initial,
                    "mood_after": 6 - final, "experience": experience, "risk": risk}))
        moment = clock
    return conversations


def write_canonical(conversations: list[Conversation], path: str | Path) -> Path:
    """The conversations as a canonical CSV (one message per row)."""
    target = Path(path)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["conversation_id", "role", "timestamp", "text", "volunteer_id"])
        for conversation in conversations:
            for message in conversation.messages:
                stamp = message.timestamp.isoformat() if message.timestamp else ""
                writer.writerow([conversation.conversation_id, message.role, stamp, message.text,
                                 conversation.volunteer_id or ""])
    return target


def write_survey(conversations: list[Conversation], path: str | Path, *, share: float = 1.0,
                 seed: int = 0) -> Path:
    """The known moods and experience as a survey file, for a share of the conversations."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    target = Path(path)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["conversation_id", "mood_before", "mood_after", "experience"])
        for conversation in conversations:
            if rng.random() < share:
                labels = conversation.labels
                writer.writerow([conversation.conversation_id, labels["mood_before"],
                                 labels["mood_after"], labels["experience"]])
    return target
