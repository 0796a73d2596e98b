"""A fresh demo installation on synthetic data: nothing in it is about a real person."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faker import Faker

from kraftsamling.privacy import table_pseudonymizer
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, create_user
from kraftsamling.tabular import PERSONS_SCHEMA, import_table

__all__ = ["DEMO_USERS", "DemoInfo", "DemoUser", "build_demo", "register_demo_builder"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: Role
    display_name: str


DEMO_USERS = (
    DemoUser("admin", "demo-admin-2026", Role.admin, "Alva Admin"),
    DemoUser("analytiker", "demo-analys-2026", Role.analyst, "Aron Analytiker"),
    DemoUser("granskare", "demo-granska-2026", Role.reviewer, "Greta Granskare"),
    DemoUser("samordnare", "demo-samordna-2026", Role.coordinator, "Sam Samordnare"),
    DemoUser("handlaggare", "demo-handlagga-2026", Role.caseworker, "Hanna Handläggare"),
    DemoUser("enhetschef", "demo-enhetschef-2026", Role.unit_manager, "Erik Enhetschef"),
)


@dataclass
class DemoInfo:
    database_url: str
    users: tuple[DemoUser, ...] = DEMO_USERS
    notes: list[str] = field(default_factory=list)


# Each module adds its own synthetic data: builder(database, settings, seed) -> note.
DemoBuilder = Callable[[Database, Settings, int], str]
_BUILDERS: list[DemoBuilder] = []


def register_demo_builder(builder: DemoBuilder) -> DemoBuilder:
    _BUILDERS.append(builder)
    return builder


DISTRICTS = ("Centrum", "Skäggetorp", "Ryd", "Berga", "Rosengård", "Lindängen", "Ekholmen")
NOTES = (
    "Söker stöd med hyran efter uppsägning.",
    "Planerat möte med arbetsförmedlingen nästa vecka.",
    "Har påbörjat språkpraktik, trivs bra.",
    "",
    "Behöver hjälp med ansökan om bostadsbidrag.",
)


def _persons_file(path: Path, *, n: int, seed: int) -> Path:
    """A synthetic person list written the way Swedish Excel writes CSV (cp1252, ';')."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([c.name for c in PERSONS_SCHEMA.columns])
        for i in range(n):
            income = rng.choice(["", f"{rng.randint(0, 32000)},{rng.randint(0, 99):02d}"])
            writer.writerow([
                f"P{i + 1:05d}",
                rng.randint(1950, 2006),
                rng.choice(["kvinna", "man", "kvinna", "man", "annat"]),
                rng.choice(DISTRICTS),
                income,
                f"{fake.first_name()} {rng.choice(NOTES)}".strip(),
            ])
    return path


def build_demo(settings: Settings, *, seed: int = 2026, n_persons: int = 120) -> DemoInfo:
    """Replace the data folder's database with a new demo one: users, schema and data."""
    data_dir = settings.ensure_data_dir()
    if settings.database_url is None:
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"kraftsamling.sqlite3{suffix}").unlink(missing_ok=True)
    database = Database.for_settings(settings)
    database.upgrade()
    info = DemoInfo(database_url=settings.sqlalchemy_url)
    with database.session() as session:
        for user in DEMO_USERS:
            create_user(session, username=user.username, password=user.password, role=user.role,
                        display_name=user.display_name, actor="demo")
    source = _persons_file(data_dir / "demo-personer.csv", n=n_persons, seed=seed)
    with database.session() as session:
        import_table(session, source, PERSONS_SCHEMA, actor="demo", name="Demo: personer",
                     transform=table_pseudonymizer(settings))
    source.unlink()  # only the pseudonymised copy is kept
    info.notes.append(f"{n_persons} syntetiska personer i tabellen 'Demo: personer' "
                      "(pseudonymiserade vid import).")
    from kraftsamling.autolarm._demo import build_autolarm_demo
    from kraftsamling.cases._demo import build_cases_demo
    from kraftsamling.chat._demo import build_chat_demo
    from kraftsamling.twin._demo import build_twin_demo

    for builder in (build_autolarm_demo, build_chat_demo, build_cases_demo, build_twin_demo,
                    *_BUILDERS):
        info.notes.append(builder(database, settings, seed))
    database.dispose()
    return info
