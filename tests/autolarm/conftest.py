"""One seed detector for the whole session: trained once (or read from the cache)."""

from __future__ import annotations

import pytest

from kraftsamling.autolarm import Detector, load_detector
from kraftsamling.settings import load_settings


@pytest.fixture(scope="session")
def detector(tmp_path_factory: pytest.TempPathFactory) -> Detector:
    settings = load_settings(data_dir=tmp_path_factory.mktemp("autolarm-data"))
    return load_detector(settings)
