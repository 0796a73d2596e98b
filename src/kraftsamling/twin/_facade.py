"""The class twin's public API for every door (the CLI, the web app, the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kraftsamling.services import ModuleService
from kraftsamling.twin._service import build_twins, read_waves, score_alarms
from kraftsamling.twin._store import save_twins
from kraftsamling.twin._survey import Wave, read_wave

__all__ = ["TwinService"]


class TwinService(ModuleService):
    """Import (read, pseudonymise, build and store the twins) and read waves for the
    predictions, simulations and evaluations the commands run."""

    def read(self, paths: Sequence[Path], *, keep_originals: bool = False) -> list[Wave]:
        """Waves from files, pupil ids hashed (``PUPIL_ID``) and free text tagged."""
        privacy = self.privacy
        return read_waves(paths, key=privacy.key, redact=privacy.text,
                          keep_originals=keep_originals)

    def read_uploads(self, names: Sequence[str], contents: Sequence[bytes]) -> list[Wave]:
        privacy = self.privacy
        return [read_wave(Path(name), number=i + 1, key=privacy.key, redact=privacy.text,
                          content=content)
                for i, (name, content) in enumerate(zip(names, contents, strict=True))]

    def score_alarms(self, waves: Sequence[Wave]) -> int:
        """Flag free-text answers with autolarm (the installation's model)."""
        from kraftsamling.autolarm import load_detector

        return score_alarms(waves, load_detector(self.settings, progress=self.note))

    def import_waves(self, names: Sequence[str], contents: Sequence[bytes], *, actor: str,
                     runs: int, client: str = "") -> int:
        """Read uploads, flag, build every class's twin and store them with the
        ``twin.import`` audit event; returns the import's id."""
        waves = self.read_uploads(names, contents)
        self.score_alarms(waves)
        twins, risk, evaluation = build_twins(waves, runs=runs)
        with self.database.session() as session:
            row = save_twins(session, waves, twins, risk, filenames=list(names),
                             imported_by=actor, evaluation=evaluation, client=client)
            return row.id
