"""Generated Swedish texts with known personal data, for tests and benchmarks.

Case notes, chat lines and SMS-style lower-case messages, with every entity type in the
forms people write them, and numbers that must not be taken for personal data (dates,
amounts, case numbers, times). Nothing here is about a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from kraftsamling.privacy._identity import luhn_valid

__all__ = ["GeneratedText", "as_tagged_sentences", "generate_texts", "name_training_texts"]


@dataclass(frozen=True)
class GeneratedText:
    text: str
    spans: tuple[tuple[int, int, str], ...]
    style: str


STREETS = ("Storgatan", "Kungsgatan", "Drottninggatan", "Vasavägen", "Björkvägen", "Ängsvägen",
           "Skolgatan", "Kyrkogatan", "Stationsgatan", "Sjövägen", "Lärkstigen", "Tallbacken",
           "Rosengränd", "Industrigatan", "Ringvägen", "Södra Vägen", "Stora Nygatan",
           "Hantverkargatan", "Lilla Torget", "Ekallén", "Västra Kajen", "Bergsgatan")
TOWNS = ("Malmö", "Linköping", "Stockholm", "Göteborg", "Norrköping", "Uppsala", "Örebro",
         "Trelleborg", "Västerås", "Umeå", "Borås", "Motala")
FOREIGN_FIRST = ("Mohammed", "Fatima", "Ahmed", "Amina", "Ali", "Hassan", "Yusuf", "Zahra",
                 "Abdi", "Hodan", "Aylin", "Emir", "Lejla", "Reza", "Shirin", "Omar")
FOREIGN_LAST = ("Hassan", "Ali", "Mohamed", "Ahmadi", "Yilmaz", "Hodžić", "Abdi", "Karimi",
                "Osman", "Farah", "Hosseini", "Ibrahim")

TEMPLATES: dict[str, tuple[str, ...]] = {
    "case_note": (
        "{PER} ({PNR}) kontaktade socialtjänsten {DATE} angående ansökan om ekonomiskt bistånd.",
        "Besök i hemmet på {ADDR}, {POST}. Mamman {PER} var närvarande. Nästa möte {DATE}.",
        "Handläggare {PER} ringde {FIRST} på {PHONE} kl {TIME}. Beviljat belopp {AMOUNT} kr.",
        "Orosanmälan gällande barnet {FIRST}, född {DATE}. "
        "Anmälare: skolkurator {PER}, tel {PHONE}.",
        "Arbetsgivaren, organisationsnummer {ORGNR}, bekräftar anställning. Dnr {DNR}.",
        "Klienten uppger adress {ADDR} lgh {LGH}. Kontakt via {EMAIL}.",
        "Samordningsnummer {SAMNR} registrerat för {PER}. Ärendet avslutas {DATE}.",
        "{PER} har haft bistånd i {MONTHS} månader. Personnummer {PNR}.",
    ),
    "chat": (
        "hej jag heter {FIRST} och jag mår inte så bra idag",
        "min kompis {FIRST} sa att jag kunde skriva här",
        "Du kan ringa mig på {PHONE} om det är lättare",
        "Jag bor på {ADDR} i {TOWN} med min pappa {FIRST}",
        "mejla mig på {EMAIL} tack",
        "Jag är {AGE} år och går i klass {CLASS}, min mentor heter {PER}",
    ),
    "sms": (
        "ring mig på {PHONE} /{FIRST}",
        "hej det är {FIRST}, mitt nr är {PHONE}",
        "kan du skicka till {EMAIL}? mvh {PER}",
        "bor på {ADDR} nu, {POST}",
        "mitt personnummer är {PNR} om ni behöver det",
        "mötet är {DATE} kl {TIME}, ta med {AMOUNT} kr",
    ),
}


def _luhn_digit(nine: str) -> str:
    for check in "0123456789":
        if luhn_valid(nine + check):
            return check
    raise AssertionError("unreachable")


class _Slots:
    def __init__(self, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake

    def first(self) -> str:
        if self.rng.random() < 0.3:
            return self.rng.choice(FOREIGN_FIRST)
        return str(self.fake.first_name())

    def person(self) -> str:
        if self.rng.random() < 0.3:
            return f"{self.rng.choice(FOREIGN_FIRST)} {self.rng.choice(FOREIGN_LAST)}"
        return f"{self.fake.first_name()} {self.fake.last_name()}"

    def _birth_digits(self, *, samordning: bool = False) -> tuple[str, str]:
        year = self.rng.randint(1935, 2015)
        month = self.rng.randint(1, 12)
        day = self.rng.randint(1, 28) + (60 if samordning else 0)
        serial = f"{self.rng.randint(0, 999):03d}"
        nine = f"{year % 100:02d}{month:02d}{day:02d}{serial}"
        return str(year)[:2], nine + _luhn_digit(nine)

    def pnr(self, *, samordning: bool = False) -> str:
        century, ten = self._birth_digits(samordning=samordning)
        form = self.rng.choice(("short-dash", "long-dash", "short", "long"))
        if form == "short-dash":
            return f"{ten[:6]}-{ten[6:]}"
        if form == "long-dash":
            return f"{century}{ten[:6]}-{ten[6:]}"
        if form == "short":
            return ten
        return century + ten

    def orgnr(self) -> str:
        nine = f"{self.rng.choice(('55', '71', '80', '21'))}{self.rng.randint(2, 9)}" \
            f"{self.rng.randint(100000, 999999)}"
        ten = nine + _luhn_digit(nine)
        return f"{ten[:6]}-{ten[6:]}"

    def phone(self) -> str:
        rng = self.rng
        mobile = f"7{rng.choice('02369')}"
        a, b, c = rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
        forms = (
            f"0{mobile}-{a} {b} {c}",
            f"0{mobile}{a}{b}{c}",
            f"+46 {mobile} {a} {b} {c}",
            f"0{mobile} {a} {b} {c}",
            f"+46{mobile}{a}{b}{c}",
            f"08-{a} {rng.randint(100, 999)}",
            f"08-{a} {b} {c}",
            f"0{rng.choice(('13', '40', '31', '11', '19'))}-{b} {c} {rng.randint(10, 99)}",
            f"0046{mobile}{a}{b}{c}",
        )
        return rng.choice(forms)

    def email(self) -> str:
        first = self.fake.first_name().lower().replace("é", "e")
        last = self.fake.last_name().lower()
        table = str.maketrans("åäö", "aao")
        user = self.rng.choice((f"{first}.{last}", f"{first}{self.rng.randint(1, 99)}"))
        domain = self.rng.choice(("gmail.com", "hotmail.se", "outlook.com", "linkoping.se",
                                  "malmo.se", "telia.com"))
        return f"{user.translate(table)}@{domain}"

    def address(self) -> str:
        number = self.rng.randint(1, 120)
        letter = self.rng.choice(("", "", "", "B", "A"))
        return f"{self.rng.choice(STREETS)} {number}{letter}"

    def postcode(self) -> str:
        return f"{self.rng.randint(100, 984)} {self.rng.randint(10, 99)} {self.rng.choice(TOWNS)}"


def generate_texts(n: int, *, seed: int = 0, lower_share: float = 0.2) -> list[GeneratedText]:
    """``n`` texts with their gold spans; ``lower_share`` of them written all in lower case."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    slots = _Slots(rng, fake)
    fillers = {
        "PER": ("PERSON", slots.person),
        "FIRST": ("PERSON", slots.first),
        "PNR": ("PERSONNUMMER", slots.pnr),
        "SAMNR": ("PERSONNUMMER", lambda: slots.pnr(samordning=True)),
        "ORGNR": ("ORGANISATIONSNUMMER", slots.orgnr),
        "PHONE": ("PHONE", slots.phone),
        "EMAIL": ("EMAIL", slots.email),
        "ADDR": ("ADDRESS", slots.address),
        "POST": ("POSTCODE", slots.postcode),
        "LGH": ("ADDRESS", lambda: str(rng.randint(1001, 1605))),
        "TOWN": (None, lambda: rng.choice(TOWNS)),
        "DATE": (None, lambda: rng.choice((f"2026-{rng.randint(1, 12):02d}-"
                                           f"{rng.randint(1, 28):02d}",
                                           f"{rng.randint(1, 28)}/{rng.randint(1, 12)}"))),
        "TIME": (None, lambda: f"{rng.randint(8, 17)}.{rng.choice(('00', '15', '30', '45'))}"),
        "AMOUNT": (None, lambda: f"{rng.randint(1, 40)} {rng.randint(100, 999)}"),
        "DNR": (None, lambda: f"SN {rng.randint(2020, 2026)}-{rng.randint(10, 9999)}"),
        "MONTHS": (None, lambda: str(rng.randint(2, 36))),
        "AGE": (None, lambda: str(rng.randint(12, 19))),
        "CLASS": (None, lambda: f"{rng.randint(6, 9)}{rng.choice('ABC')}"),
    }
    texts = []
    styles = list(TEMPLATES)
    for _ in range(n):
        style = rng.choice(styles)
        template = rng.choice(TEMPLATES[style])
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        length = 0
        for chunk in template.replace("}", "{").split("{"):
            if chunk in fillers:
                entity, make = fillers[chunk]
                value = make()
                if entity == "ADDRESS" and chunk == "LGH":
                    # "lgh 1102" is the apartment: the span covers the word too.
                    start = length - len("lgh ")
                    spans.append((start, length + len(value), entity))
                elif entity is not None:
                    spans.append((length, length + len(value), entity))
                parts.append(value)
                length += len(value)
            else:
                parts.append(chunk)
                length += len(chunk)
        text = "".join(parts)
        if (style == "sms" and rng.random() < lower_share * 3) or rng.random() < lower_share / 2:
            text = text.lower()
            style = f"{style}-lower"
        # "ADDR lgh LGH" is one address: merge the two gold spans.
        merged: list[tuple[int, int, str]] = []
        for span in sorted(spans):
            if merged and span[2] == merged[-1][2] == "ADDRESS" and span[0] - merged[-1][1] <= 1:
                merged[-1] = (merged[-1][0], span[1], "ADDRESS")
            else:
                merged.append(span)
        texts.append(GeneratedText(text, tuple(merged), style))
    return texts


# -- training sentences for the name tagger ------------------------------------------------
# Registers the news corpus lacks: case notes, school notes, chat and SMS, with names at a
# note's start, in the genitive, after kinship words and titles, in direct speech, as
# initials, in lower case and in capitals; and sentences where a word that is also a name
# (per, bo, hans, klara, dag, liv) is used as a word. Templates and word lists are written
# for training only and differ from the benchmark templates above.

NAME_TEMPLATES = (
    "{F} behöver hjälp med ansökan om bistånd.",
    "{F} har påbörjat sin praktik och trivs bra.",
    "{F} kom inte till mötet i dag.",
    "{F} berättar att det är tufft hemma just nu.",
    "{F} ringde och ville flytta tiden.",
    "Samtal med {G} mamma {F} om skolgången.",
    "Möte med {FL} och handläggare {FL} på kontoret.",
    "Mamma {F} ringde och berättade att {F2} inte varit i skolan.",
    "Pappa {F} vill ha ett nytt möte med skolan.",
    "{F} säger: ”Jag vill inte åka hem till {N}.”",
    "”Jag heter {F}”, sa pojken till kuratorn.",
    "Hon sa att \"{N} var där också\" men ville inte säga mer.",
    "Herr {L} kom till mötet tillsammans med sin son.",
    "Fru {L} har lämnat in underlagen.",
    "Kontakt med {I} på skolan angående frånvaron.",
    "Underskrivet av {I}, enhetschef.",
    "hej det är {N}, kan du ringa mig sen",
    "{F} och {F2} bråkade på rasten igen.",
    "{G} pappa {FL} vill ha ett möte nästa vecka.",
    "Eleven {F} {L} har hög frånvaro i matematik.",
    "Kuratorn {F} träffade {F2} efter lunch.",
    "{L} uppger att hon inte fått pengarna.",
    "Enligt {L} är situationen ohållbar.",
    "Träffade {F} i korridoren, {F2} verkade ledsen.",
    "{F}: jag orkar inte mer med allt",
    "tack {F}! vi ses imorgon",
    "min moster {F} bor i {TOWN} nu",
    "kompisen {N} sa att jag borde skriva hit",
    "Lärare: {FL}. Mentor: {FL}.",
    "{F} tycker att {G} bror är jobbig.",
    "Faster {F} hämtar {F2} på fredagar.",
    "{D} {L} har flyttat till {TOWN}.",
    "Vi har pratat med {FL} om {G} behov.",
    "Enligt {G} lärare går det bättre nu.",
    "{N} har varit borta hela veckan.",
    "Jag och {N} var ute hela natten",
    "sms från {F}: kommer inte idag",
    "{F}, {F2} och {F3} fick stanna kvar efter lektionen.",
    "Vårdnadshavare: {FL}, {FL}.",
    "Besök hos familjen {L} i hemmet.",
    "Bror {F} går i samma klass som {F2}.",
    "Det var {F} som hittade {G} telefon.",
    "Ansvarig handläggare är {FL}.",
    "Jag pratade med {F} igår och {F} sa att allt var okej.",
    "{FL} och {FL} deltog i nätverksmötet.",
    "Mvh {FL}",
    "/{N}",
    "Ring {F} på eftermiddagen.",
    "Syster {F} är tre år äldre.",
    "Morfar {F} har hand om barnen på helgerna.",
    "{F} {L} (elev i 8B) har bytt mentor till {FL}.",
    "Samordnare {F} {L} ansvarar för planen.",
    "Dr {L} skrev ut en ny medicin.",
    "{F} och hennes sambo {F2} vill ha hjälp med ekonomin.",
)
WORD_TEMPLATES = (
    "Det kostar {AMOUNT} kr per månad.",
    "Kontakt per telefon och per mejl.",
    "Hon vill bo kvar i lägenheten.",
    "Han har svårt att bo själv.",
    "Hans mamma ringde i morse.",
    "Hans pappa vill inte delta.",
    "hans bror var också med",
    "Han tycker att det är svårt att klara skolan.",
    "Klara besked om vad som gäller saknas.",
    "Varje dag är jobbig för honom.",
    "Det är en bra dag i dag.",
    "Hon har haft ett tufft liv.",
    "Hela hans liv har förändrats.",
    "Min bror bor i {TOWN}.",
    "Vi ses igen i maj.",
    "Det är en lisa att få prata med någon.",
    "Han fick en ros av läraren.",
    "Hon kastade en sten på bilen.",
    "Han har ont i axeln.",
    "Vi gick på en stig genom skogen.",
    "Boken är en saga om en björn.",
    "Hon hade en rosa jacka.",
    "Eleverna läste en saga.",
    "Det var en lång och lena väg.",
    "Planerat möte med skolan flyttas.",
    "Behöver hjälp med ansökan om bistånd.",
    "Har påbörjat utredning enligt plan.",
    "Beslut fattat om fortsatt insats.",
    "Ringde men fick inget svar.",
    "Uppföljning sker om två veckor.",
    "Skolan meddelar att frånvaron ökat.",
    "Pojken säger att han inte vill gå hem.",
    "Mamman uppger att hon är trött.",
    "Eleven har svårt att koncentrera sig.",
    "Möte bokat med socialtjänsten.",
    "Orosanmälan inkom från förskolan.",
    "Ingen kontakt med pappan sedan i våras.",
    "jag orkar inte mer med skolan",
    "kan du ringa mig sen",
    "Ask och låda på bordet.",
    "Han kommer att klara provet.",
    "Ta med en ask tändstickor.",
    "Vi har ett möte per vecka.",
    "Hon vill ha en tid i juni.",
    "Han sa: ”Jag vill inte dit.”",
    "Enligt skolan går det bättre nu.",
    "Mentor: saknas. Lärare: vikarie.",
    "Vårdnadshavare har informerats.",
)
WORD_NAMES = ("Lena", "Per", "Hans", "Bo", "Vera", "Ask", "Sten", "Björn", "Rosa", "Klara",
              "Dag", "Liv", "Saga", "Stig", "Axel", "Lisa", "Minna", "Love", "Åsa", "Viola",
              "Linnea", "Iris", "Ylva", "Örn", "Björk", "Siv", "Gun", "Maj", "Ros", "Tyra",
              "Ronja", "Tilde", "Mio", "Ella", "Alva", "Vilja", "Mor", "Bror", "Sol")
INITIAL_FORMS = ("{i}. {l}", "{i}.{l}", "{i} {l}", "{i}-{j} {l}", "{i}.{j}. {l}")


def _scb_sampler(rng: random.Random) -> tuple[list[list[str]], list[float]]:
    from kraftsamling.privacy._gazetteer import _scb_buckets

    by_bucket: dict[int, list[str]] = {}
    for name, bucket in _scb_buckets().items():
        if name.isalpha():
            by_bucket.setdefault(bucket, []).append(name.capitalize())
    weights = {5: 0.3, 4: 0.28, 3: 0.2, 2: 0.13, 1: 0.09}
    buckets = sorted(by_bucket)
    return [sorted(by_bucket[b]) for b in buckets], [weights.get(b, 0.05) for b in buckets]


def name_training_texts(n: int, *, seed: int = 0, word_share: float = 0.35
                        ) -> list[GeneratedText]:
    """``n`` generated notes and messages with their PERSON spans, for training the name
    tagger; ``word_share`` of them hold no name but words that are also names."""
    from kraftsamling.privacy._names import _read_list

    rng = random.Random(seed)  # noqa: S311 - synthetic data
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    groups, weights = _scb_sampler(rng)
    data = Path(__file__).parent / "data"
    foreign_first = sorted(n.capitalize() for n in _read_list(data / "extra_first_names.txt"))
    foreign_last = sorted(n.title() for n in _read_list(data / "extra_last_names.txt"))
    nicknames = sorted(n.capitalize() for n in _read_list(data / "extra_nicknames.txt"))
    others = [Faker(locale) for locale in ("fi_FI", "pl_PL", "tr_TR", "en_GB", "es_ES")]
    for index, other in enumerate(others):
        other.seed_instance(seed + index + 1)

    def first() -> str:
        roll = rng.random()
        if roll < 0.12:
            return rng.choice(WORD_NAMES)
        if roll < 0.27:
            return rng.choice(foreign_first)
        if roll < 0.35:
            return str(rng.choice(others).first_name())
        return rng.choice(rng.choices(groups, weights)[0])

    def last() -> str:
        roll = rng.random()
        if roll < 0.55:
            return str(fake.last_name())
        if roll < 0.8:
            return rng.choice(foreign_last)
        return str(rng.choice(others).last_name())

    def genitive() -> str:
        name = first()
        return name if name[-1] in "sxz" else name + "s"

    def initials() -> str:
        form = rng.choice(INITIAL_FORMS)
        letters = "ABCDEFGHIJKLMNOPRSTUVWÅÖ"
        return form.format(i=rng.choice(letters), j=rng.choice(letters), l=last())

    def double() -> str:
        return f"{first()}-{first()}" if rng.random() < 0.5 else f"{first()} {first()}"

    def full() -> str:
        roll = rng.random()
        if roll < 0.15:
            return f"{double()} {last()}"
        if roll < 0.25:
            return f"{first()} {last()}-{last()}"
        return f"{first()} {last()}"

    fillers = {"F": first, "F2": first, "F3": first, "L": last, "G": genitive,
               "N": lambda: rng.choice(nicknames) if rng.random() < 0.7 else first(),
               "FL": full, "I": initials, "D": double}
    values = {"TOWN": lambda: rng.choice(TOWNS), "AMOUNT": lambda: str(rng.randint(50, 9000))}
    texts = []
    for _ in range(n):
        word = rng.random() < word_share
        template = rng.choice(WORD_TEMPLATES if word else NAME_TEMPLATES)
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        length = 0
        for chunk in template.replace("}", "{").split("{"):
            if chunk in fillers:
                value = fillers[chunk]()
                spans.append((length, length + len(value), "PERSON"))
            else:
                value = values[chunk]() if chunk in values else chunk
            parts.append(value)
            length += len(value)
        text = "".join(parts)
        style = "word" if word else "name"
        roll = rng.random()
        if roll < 0.2:
            text, style = text.lower(), style + "-lower"
        elif roll < 0.25:
            text, style = text.upper(), style + "-upper"
        texts.append(GeneratedText(text, tuple(spans), style))
    return texts


def as_tagged_sentences(texts: list[GeneratedText]) -> list[tuple[list[str], list[str]]]:
    """Tokens of generated texts, each tagged PER when it overlaps a PERSON span."""
    from kraftsamling.privacy._spans import tokenize

    sentences = []
    for item in texts:
        tokens = tokenize(item.text)
        tags = ["PER" if any(s < t.end and t.start < e for s, e, k in item.spans
                             if k == "PERSON") else "O" for t in tokens]
        sentences.append(([t.text for t in tokens], tags))
    return sentences
