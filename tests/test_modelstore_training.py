"""The model lifecycle under concurrency: requests that need the demo model while it trains
wait for the one training, none starts a second."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kraftsamling.modelstore import ModelStore
from kraftsamling.settings import Settings, load_settings


class Toy:
    def __init__(self, n: int) -> None:
        self.n = n


def test_a_demo_model_is_trained_once_however_many_ask(tmp_path: Path) -> None:
    calls: list[int] = []
    started = threading.Event()

    def train(settings: Settings) -> Toy:
        calls.append(1)
        started.set()
        time.sleep(0.5)
        return Toy(len(calls))

    store = ModelStore(name="toy", kind=Toy, train_demo=train, fingerprint=lambda s: "v1")
    settings = load_settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    got: list[tuple[Toy, bool]] = []
    threads = [threading.Thread(target=lambda: got.append(store.load(settings)))
               for _ in range(6)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(calls) == 1 and len(got) == 6
    assert {model.n for model, _ in got} == {1} and all(demo for _, demo in got)
