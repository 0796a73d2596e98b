"""Generated Swedish texts with known personal data, for tests and benchmarks.

Case notes, chat lines and SMS-style lower-case messages, with every entity type in the
forms people write them, and numbers that must not be taken for personal data (dates,
amounts, case numbers, times). Nothing here is about a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

from kraftsamling.privacy._identity import luhn_valid

__all__ = ["GeneratedText", "generate_texts"]


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
