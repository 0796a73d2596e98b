"""Model cards: every trained model has one, in one shape, with its figures from the module's
data file; the CLI writes them in Swedish or English; the app shows them to the roles that
use the model."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kraftsamling.compliance import (
    CARDS,
    MODULES,
    card_data_file,
    cards_for,
    load_figures,
    render_cards,
)
from tests.conftest import login, run_cli


def _trained_models() -> set[tuple[str, str]]:
    """Every public class of the modules that learns from data: scikit-learn-style ``fit``
    (feature transformers excepted) or a Mesa model, by module."""
    import mesa
    from sklearn.base import TransformerMixin

    found = set()
    for module in MODULES:
        package = importlib.import_module(f"kraftsamling.{module}")
        for name in package.__all__:
            obj = getattr(package, name)
            if not inspect.isclass(obj) or issubclass(obj, TransformerMixin):
                continue
            if callable(getattr(obj, "fit", None)) or issubclass(obj, mesa.Model):
                found.add((module, name))
    return found


def test_every_model_has_a_card() -> None:
    models = _trained_models()
    assert ("privacy", "NameTagger") in models and ("twin", "ClassroomModel") in models
    carded = {(card.module, name) for card in CARDS for name in card.estimators}
    assert models - carded == set(), "these models have no card"
    assert carded - models == set(), "these cards name classes that are not models"
    for module in MODULES:
        figures = load_figures(module)
        assert card_data_file(module).is_file(), module
        for card in cards_for(module):
            assert [f for f in figures.figure if f.card == card.id], f"{card.id} has no figure"
            assert card.not_for and card.failure_modes and card.users, card.id


def _first_value(module: str, **match: object) -> float:
    """A figure as the module's card file holds it, so a new measurement moves no test."""
    import tomllib

    import kraftsamling

    path = Path(kraftsamling.__file__).parent / module / "data" / "card.toml"
    figures = tomllib.loads(path.read_text(encoding="utf-8"))["figure"]
    return float(next(f["value"] for f in figures if "value" in f
                      and all(f.get(k) == v for k, v in match.items())))


def test_cards_say_where_no_independent_figure_is_measured(tmp_path: Path) -> None:
    html = run_cli("card", "twin", cwd=tmp_path)
    assert html.returncode == 0, html.stderr
    assert html.stdout.count("Inte uppmätt på oberoende data ännu.") == 2  # both twin cards
    assert "inte uppmätt på oberoende data ännu" in html.stdout  # the pending figure row
    chat = render_cards("chat", "sv")
    assert "Inte uppmätt på oberoende data ännu." not in chat  # ESConv test is independent
    first = _first_value("chat")
    assert f"{first:.3f}".replace(".", ",") in chat and "benchmarks/chat_bench.py" in chat


def test_card_cli_in_swedish_and_english(tmp_path: Path) -> None:
    swedish = run_cli("card", "autolarm", "-o", "kort.html", cwd=tmp_path)
    assert swedish.returncode == 0, swedish.stderr
    page = (tmp_path / "kort.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and "Får inte användas till" in page
    recall = f"{_first_value('autolarm', independent=True):.3f}"
    assert "Brådskande: andel funna (recall)" in page and recall.replace(".", ",") in page
    english = run_cli("card", "autolarm", "--lang", "en", "-o", "card.html", cwd=tmp_path)
    assert english.returncode == 0
    page = (tmp_path / "card.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Must not be used for" in page and recall in page
    unknown = run_cli("card", "robot", cwd=tmp_path)
    assert unknown.returncode == 1 and "Okänd modul 'robot'" in unknown.stderr
    bad_language = run_cli("card", "chat", "--lang", "de", cwd=tmp_path)
    assert bad_language.returncode == 1 and "Okänt språk" in bad_language.stderr


def test_a_broken_figures_file_is_refused_in_swedish(tmp_path: Path) -> None:
    broken = tmp_path / "card.toml"
    broken.write_text('[[figure]]\ncard = "autolarm.detector"\nvalue = "hög"\n',
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"Modellkortsfilen .* stämmer inte"):
        load_figures("autolarm", broken)
    broken.write_text('[[figure]]\ncard = "autolarm.okänd"\nname = {sv = "a", en = "a"}\n'
                      'dataset = {sv = "b", en = "b"}\nindependent = false\n',
                      encoding="utf-8")
    with pytest.raises(ValueError, match=r"okänt kort 'autolarm\.okänd'"):
        load_figures("autolarm", broken)
    broken.write_text("[[figure]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="inte giltig TOML"):
        load_figures("autolarm", broken)


@pytest.mark.parametrize(("username", "allowed", "refused"), [
    ("granskare", ["autolarm", "twin"], ["cases", "chat"]),
    ("samordnare", ["chat"], ["autolarm", "cases"]),
    ("handlaggare", ["cases"], ["chat", "twin"]),
    ("analytiker", ["privacy"], ["cases"]),
    ("admin", list(MODULES), []),
])
def test_card_pages_follow_the_roles(client: TestClient, username: str, allowed: list[str],
                                     refused: list[str]) -> None:
    login(client, username)
    index = client.get("/cards")
    assert index.status_code == 200
    for module in allowed:
        assert f'href="/cards/{module}"' in index.text
        page = client.get(f"/cards/{module}")
        assert page.status_code == 200 and "Får inte användas till" in page.text, module
    for module in refused:
        assert f'href="/cards/{module}"' not in index.text
        assert client.get(f"/cards/{module}").status_code == 403, module
    assert client.get("/cards/robot").status_code == 404


def test_card_page_in_english(client: TestClient) -> None:
    login(client, "granskare")
    client.get("/lang/en?next=/cards/autolarm")
    page = client.get("/cards/autolarm")
    assert "Must not be used for" in page.text and "Urgent recall" in page.text
