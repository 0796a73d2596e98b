"""``kraftsamling cases``: synthetic cases, effects, models, allocation, fairness, card.

Each command parses its options, calls one :class:`CaseService` method and renders.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.table import Table

from kraftsamling import shell
from kraftsamling._cells import safe_frame
from kraftsamling.shell import console, err_console, fail

if TYPE_CHECKING:
    from kraftsamling.cases._facade import CaseService

__all__ = ["cases_app"]

cases_app = shell.group("Ärenden: risk, vad som hjälper vem, fördelning, rättvisa.")


CaseKind = Annotated[str, typer.Option("--kind", help="economic-assistance eller social-services.")]
ModelPath = Annotated[Path | None, typer.Option(
    "--model", help="Modellfil (annars organisationens, i datakatalogen).")]


T = TypeVar("T")


def _service() -> CaseService:
    from kraftsamling.cases._facade import CaseService  # model code only when used

    return shell.service(CaseService)


def _run(step: Callable[[], T], status: str | None = None) -> T:
    """One service call; its ``ValueError`` (bad file, option or model) is the message."""
    try:
        if status is None:
            return step()
        with err_console.status(status):
            return step()
    except ValueError as error:  # OverlapError and ForbiddenFeatureError too
        fail(str(error))


@cases_app.command("synth")
def cases_synth(
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    kind: CaseKind = "economic-assistance",
    n: Annotated[int, typer.Option("--n", help="Antal personer eller hushåll.")] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    truth: Annotated[Path | None, typer.Option(
        "--truth", help="Skriv de sanna effekterna hit (annars OUTPUT-truth.csv).")] = None,
    panel: Annotated[Path | None, typer.Option(
        "--panel", help="Skriv även hushållsmånader (bara economic-assistance).")] = None,
) -> None:
    """Skapa syntetiska ärenden med kända sanna effekter (för test och övning)."""
    from kraftsamling.cases import (
        household_months,
        synthetic_economic_assistance,
        synthetic_social_services,
    )

    if kind not in ("economic-assistance", "social-services"):
        fail(f"Okänd sort {kind!r}: välj economic-assistance eller social-services.")
    try:
        cases = (synthetic_economic_assistance(n, seed=seed) if kind == "economic-assistance"
                 else synthetic_social_services(n, seed=seed))
    except ValueError as error:
        fail(str(error))
    cases.data.to_csv(output, index=False)
    truth_path = truth or output.with_name(output.stem + "-truth.csv")
    cases.truth.to_csv(truth_path, index=False)
    if panel is not None:
        if kind != "economic-assistance":
            fail("--panel finns bara för economic-assistance.")
        household_months(cases, seed=seed).to_csv(panel, index=False)
    console.print(f"{n} rader ({kind}) i {output}; sanna effekter i {truth_path}.")


@cases_app.command("effect")
def cases_effect(
    source: Annotated[Path, typer.Argument(help="Data: .csv, .tsv eller .xlsx.")],
    treatment: Annotated[str, typer.Option("--treatment", help="Kolumnen med insatsen.")],
    outcome: Annotated[str, typer.Option("--outcome", help="Kolumnen med utfallet.")],
    covariates: Annotated[str | None, typer.Option(
        "--covariates", help="Kommaseparerade kolumner (standard: alla andra).")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Skriv effekt per rad (CATE) hit.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Sista raden som JSON.")] = False,
    estimand: Annotated[str, typer.Option(
        "--estimand", help="ate (alla) eller att (de som fick insatsen).")] = "ate",
    treated: Annotated[str | None, typer.Option(
        "--treated", help="Värdet som betyder insats, om kolumnen har fler än två.")] = None,
    control: Annotated[str, typer.Option(
        "--control", help="Värdet som betyder ingen insats (med --treated).")] = "ingen",
    per_row: Annotated[bool, typer.Option(
        "--per-row/--no-per-row", help="Skatta effekt per rad.")] = True,
    cate_method: Annotated[str, typer.Option(
        "--cate-method", help="Modell för effekt per rad: auto (alla kandidater, valda på "
        "utelämnade delar efter R-förlust), eller en kandidat: t-learner, s-learner, "
        "x-learner, dr-learner, causal-forest (forest), econml-dr, gaussian-process.")
        ] = "auto",
    selection: Annotated[str, typer.Option(
        "--selection", help="Med --cate-method auto: auto (smoothest för ett 0/1-utfall, "
        "annars best), best (kandidaten med bäst R-poäng), smoothest (den jämnaste av "
        "kandidaterna inom ett standardfel från den bästa), near-best (medel av dem), stack "
        "(viktad efter R-förlust) eller bagged-best (bästa R-förlust i bootstrap-"
        "omdragningar, viktad efter hur ofta).")] = "auto",
) -> None:
    """Skatta en insats genomsnittliga effekt med 95 % KI (dubbelt robust)."""
    import json

    estimate = _run(lambda: _service().effect(
        source, treatment=treatment, outcome=outcome,
        covariates=[c.strip() for c in covariates.split(",")] if covariates else None,
        treated=treated, control=control, estimand=estimand, per_row=per_row,
        cate_method=cate_method, selection=selection), "Skattar effekten…")
    result = estimate.result
    console.print(f"Effekt ({result.method}): {result.ate:.4g} "
                  f"(95 % KI {result.ci_low:.4g} till {result.ci_high:.4g}), n = {result.n}.",
                  highlight=False)
    dropped = result.overlap.treated_dropped + result.overlap.control_dropped
    if dropped:
        console.print(f"{dropped} rader utan jämförbara motsvarigheter lämnades utanför.")
    for note in result.notes:
        console.print(note, highlight=False)
    if result.cate_method is not None:
        console.print(f"Effekt per rad: {result.cate_method}.", highlight=False)
        console.print("Kandidater (R-poäng på utelämnade delar, högre är bättre; vikt i "
                      "valet):", highlight=False)
        for candidate in result.candidates:
            console.print(f"  {candidate.label}: {candidate.r_score:.4f}, vikt "
                          f"{candidate.weight:.2f}", highlight=False)
    if output is not None and per_row:
        safe_frame(estimate.rows).to_csv(output, index=False)  # OWASP: no formulas
        console.print(f"Effekt per rad i {output}.")
    if as_json:
        typer.echo(json.dumps(result.summary()))


@cases_app.command("train")
def cases_train(
    source: Annotated[Path, typer.Argument(help="Ärenden (en rad per person/hushåll).")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    register: Annotated[Path | None, typer.Option(
        "--register", help="Register över förbjudna variabler (TOML).")] = None,
) -> None:
    """Träna risk-, effekt- och granskningsmodellerna och spara dem."""
    models, target = _run(lambda: _service().train(source, kind=kind, model=model,
                                                   register=register))
    m = models.metrics
    console.print(f"Tränad på {models.n_train} rader: AUC {m['auc']:.3f}, Brier "
                  f"{m['brier']:.3f}, kalibreringsfel {m['calibration_error']:.3f}. "
                  f"Sparad i {target}.", highlight=False)
    for name, why in models.refused.items():
        err_console.print(f"[yellow]{name}:[/] {why}", highlight=False)
    for flag in models.audit.flags:
        err_console.print(f"[yellow]Rättvisa:[/] {flag}", highlight=False)


@cases_app.command("predict")
def cases_predict(
    source: Annotated[Path, typer.Argument(help="Ärenden att bedöma.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="CSV att skriva.")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
) -> None:
    """Risk, skäl i klartext och rekommenderad insats per person."""
    answer = _run(lambda: _service().predict(source, kind=kind, model=model), "Bedömer…")
    safe_frame(answer).to_csv(output, index=False)  # OWASP: no formulas
    console.print(f"{len(answer)} bedömningar i {output}.")


def _parse_pairs(text: str | None, option: str) -> dict[str, float]:
    pairs: dict[str, float] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        try:  # without "=", value is "" and does not parse either
            pairs[name.strip()] = float(value)
        except ValueError:
            fail(f"{option}: skriv NAMN=TAL, kommaseparerat (fick {part!r}).")
    return pairs


@cases_app.command("allocate")
def cases_allocate(
    source: Annotated[Path, typer.Argument(help="Ärenden att fördela platser till.")],
    places: Annotated[str, typer.Option(
        "--places", help="Platser per insats, t.ex. jobbtorg=40,studier=10.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plan (CSV).")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    cost: Annotated[str | None, typer.Option(
        "--cost", help="Kostnad per insats, NAMN=TAL.")] = None,
    budget: Annotated[float | None, typer.Option("--budget")] = None,
    fair_by: Annotated[str | None, typer.Option(
        "--fair-by", help="Grupp som ska få likvärdig andel platser (t.ex. district).")] = None,
    min_ratio: Annotated[float, typer.Option(
        "--min-ratio", help="Minsta kvot mellan gruppernas andelar.")] = 0.8,
) -> None:
    """Fördela platser för största förväntade nytta; jämför med nuvarande praxis."""
    capacity = {k: int(v) for k, v in _parse_pairs(places, "--places").items()}
    costs = _parse_pairs(cost, "--cost")
    plan, compared = _run(lambda: _service().allocate(
        source, capacity, kind=kind, model=model, cost=costs, budget=budget, fair_by=fair_by,
        min_ratio=min_ratio))
    safe_frame(plan).to_csv(output, index=False)  # OWASP: no formulas
    table = Table("Fördelning", "Förväntad nytta (färre med långvarigt behov)")
    labels = {"optimal": "Optimal plan", "current": "Nuvarande praxis", "random": "Slump",
              "risk_first": "Högst risk först"}
    for key, allocation in compared.items():
        table.add_row(labels[key], f"{allocation.expected_benefit:.1f}")
    console.print(table)
    console.print(f"Plan i {output}. Rekommendation: handläggaren beslutar.")


@cases_app.command("audit")
def cases_audit(
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Tabell (CSV).")] = None,
) -> None:
    """Rättvisegranskning per grupp: hur ofta modellen väljer ut, hittar rätt och larmar i
    onödan, och hur väl risken stämmer (med konfidensintervall)."""
    models = _run(lambda: _service().models(kind, model))
    frame = models.audit.to_frame()
    if output is not None:
        safe_frame(frame).to_csv(output, index=False)  # OWASP: no formulas
    for name, part in models.audit.tables.items():
        table = Table(name, "antal", "urvalsandel", "TPR", "FPR", "kalibrering")
        for _, row in part.iterrows():
            table.add_row(str(row["grupp"]), str(int(row["antal"])),
                          f"{row['urvalsandel']:.2f}", f"{row['TPR']:.2f}",
                          f"{row['FPR']:.2f}", f"{row['kalibrering']:+.3f}")
        console.print(table)
    if models.audit.flags:
        for flag in models.audit.flags:
            console.print(f"[yellow]Flagga:[/] {flag}", highlight=False)
    else:
        console.print("Inga skillnader över gränserna.")


@cases_app.command("card")
def cases_card(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML-fil att skriva.")],
    kind: CaseKind = "economic-assistance",
    model: ModelPath = None,
) -> None:
    """Modellkortet på svenska som HTML."""
    html = _run(lambda: _service().card(kind=kind, model=model))
    output.write_text(html, encoding="utf-8")
    console.print(f"Modellkortet i {output}.")
