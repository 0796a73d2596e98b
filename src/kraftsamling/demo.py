"""A fresh demo installation on synthetic data: nothing in it is about a real person."""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faker import Faker

from kraftsamling.plugins import DemoBuilder, demo_steps
from kraftsamling.privacy import Pseudonymization
from kraftsamling.settings import Settings
from kraftsamling.store import Database, Role, create_user
from kraftsamling.tabular import PERSONS_SCHEMA, import_table

__all__ = ["DEMO_USERS", "DemoInfo", "DemoUser", "MailCatcher", "Progress", "build_demo"]


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


# Each module adds its own synthetic data through its plugin's ``demo_builders`` hook.
Progress = Callable[[str], None]


@dataclass
class DemoInfo:
    """What was built; ``pending`` are the steps left for :meth:`finish` (``defer=True``)."""

    database_url: str
    users: tuple[DemoUser, ...] = DEMO_USERS
    notes: list[str] = field(default_factory=list)
    pending: list[tuple[str, Callable[[], str]]] = field(default_factory=list)
    progress: Progress | None = None

    def finish(self) -> None:
        """Run the deferred steps (e.g. in a thread while the app already serves)."""
        while self.pending:
            title, step = self.pending.pop(0)
            self.notes.append(_timed(title, step, self.progress))
        if self.progress is not None:
            self.progress("Demodata klara.")


def _timed(title: str, step: Callable[[], str], progress: Progress | None) -> str:
    if progress is not None:
        progress(f"{title} …")
    started = time.perf_counter()
    note = step()
    if progress is not None:
        progress(f"{title}: klart på {time.perf_counter() - started:.0f} s. {note}")
    return note




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


class MailCatcher:
    """A local SMTP server for the demo: every alert e-mail is saved as an .eml file.

    Uses aiosmtpd (``pip install kraftsamling[demo]``); ``told`` hears of each message.
    """

    def __init__(self, folder: Path, *, told: Progress | None = None, port: int = 0) -> None:
        self.folder = folder
        self.told = told
        self.host = "127.0.0.1"
        self.port = port or _free_port(self.host)
        self._controller: Any = None

    def start(self) -> MailCatcher:
        from aiosmtpd.controller import Controller

        self.folder.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(self, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes
        from email.policy import default

        content = bytes(envelope.content)
        message = message_from_bytes(content, policy=default)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{time.perf_counter_ns() % 10**9}.eml"
        path.write_bytes(content)
        if self.told is not None:
            self.told(f"E-post till {', '.join(envelope.rcpt_tos)}: "
                      f"\"{message['subject']}\" (sparad i {path})")
        return "250 OK"


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def build_demo(settings: Settings, *, seed: int = 2026, n_persons: int = 120,
               progress: Progress | None = None, defer: bool = False) -> DemoInfo:
    """Replace the data folder's database with a new demo one: users, schema and data.

    ``progress`` is told of every step as it starts and ends. With ``defer`` the slow
    steps (chat analysis, case models, the class twin) are left in ``info.pending`` for
    :meth:`DemoInfo.finish`, so the app can serve logins and the alert queue meanwhile.
    """
    data_dir = settings.ensure_data_dir()
    info = DemoInfo(database_url=settings.sqlalchemy_url, progress=progress)

    def fresh_database() -> str:
        if settings.database_url is None:
            for suffix in ("", "-wal", "-shm"):
                (data_dir / f"kraftsamling.sqlite3{suffix}").unlink(missing_ok=True)
        database.upgrade()
        with database.session() as session:
            for user in DEMO_USERS:
                create_user(session, username=user.username, password=user.password,
                            role=user.role, display_name=user.display_name, actor="demo")
        return f"{len(DEMO_USERS)} demoanvändare."

    def persons() -> str:
        source = _persons_file(data_dir / "demo-personer.csv", n=n_persons, seed=seed)
        with database.session() as session:
            import_table(session, source, PERSONS_SCHEMA, actor="demo", name="Demo: personer",
                         transform=Pseudonymization.for_settings(settings).table())
        source.unlink()  # only the pseudonymised copy is kept
        return (f"{n_persons} syntetiska personer i tabellen 'Demo: personer' "
                "(pseudonymiserade vid import).")

    database = Database.for_settings(settings)

    def run(builder: DemoBuilder) -> Callable[[], str]:
        return lambda: builder(database, settings, seed)

    steps = demo_steps()  # every plugin's, in plugin order
    now = [("Databas och inloggningar", fresh_database), ("Personregister", persons),
           *((title, run(builder)) for title, builder, deferred in steps if not deferred)]
    later = [(title, run(builder)) for title, builder, deferred in steps if deferred]
    for title, step in now:
        info.notes.append(_timed(title, step, progress))
    info.pending = list(later)
    if not defer:
        info.finish()
        database.dispose()
    return info
