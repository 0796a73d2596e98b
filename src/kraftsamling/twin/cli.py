"""``kraftsamling twin``: predict, simulate and evaluate a class twin; import RSiena data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kraftsamling import shell
from kraftsamling._cells import safe_frame
from kraftsamling.shell import console, err_console, fail

__all__ = ["twin_app"]

twin_app = shell.group("Klasstvilling: risk att bli utsatt nästa termin och vad som hjälper.")


WavePaths = Annotated[list[Path], typer.Argument(
    help="En fil per mätning (termin), i tidsordning: .csv, .tsv eller .xlsx.")]
AutolarmOption = Annotated[bool, typer.Option(
    "--autolarm/--no-autolarm", help="Bedöm fritextsvar med autolarm.")]


def _twin_waves(paths: list[Path], *, autolarm: bool, reveal: bool = False) -> Any:
    from kraftsamling.twin import TwinService

    service = TwinService(shell.settings(), note=lambda text: err_console.print(text))
    try:
        waves = service.read(paths, keep_originals=reveal)
    except ValueError as error:
        fail(str(error))
    if autolarm:
        with err_console.status("Bedömer fritextsvar med autolarm…"):
            flagged = service.score_alarms(waves)
        err_console.print(f"Autolarm flaggade {flagged} fritextsvar.")
    return waves


def _reveal(frame: Any, waves: Any) -> Any:
    originals: dict[str, str] = {}
    for wave in waves:
        originals.update(wave.originals)
    frame["pupil_id"] = frame["pupil_id"].map(lambda p: originals.get(p, p))
    return frame


@twin_app.command("predict")
def twin_predict(
    waves: WavePaths,
    output: Annotated[Path, typer.Option("-o", "--output", help="Risk per elev (CSV).")],
    autolarm: AutolarmOption = True,
    reveal_ids: Annotated[bool, typer.Option(
        "--reveal-ids", help="Skriv skolans egna elev-id i filen (annars pseudonymer).")
    ] = False,
) -> None:
    """Sannolikheten att varje elev blir utsatt nästa termin, med skäl i klartext."""
    from kraftsamling.twin import evaluate_prediction, predict_next

    read = _twin_waves(waves, autolarm=autolarm, reveal=reveal_ids)
    try:
        answer = predict_next(read)
    except ValueError as error:
        fail(str(error))
    if reveal_ids:
        answer = _reveal(answer, read)
    safe_frame(answer).to_csv(output, index=False)  # OWASP: no formulas
    console.print(f"Risk för {len(answer)} elever i {output} (lärt från {len(read) - 1} "
                  "övergångar mellan mätningar).")
    if len(read) >= 3:
        try:
            m = evaluate_prediction(read)
        except ValueError as error:
            err_console.print(f"Ingen utvärdering: {error}")
            return
        console.print(f"Utvärdering på sista övergången (tränad på de tidigare): AUC "
                      f"{m['auc']:.3f} mot {m['carry_forward_auc']:.3f} för att föra fram "
                      f"senaste mätningen; Brier {m['brier']:.3f}; kalibreringsfel "
                      f"{m['calibration_error']:.3f}.", highlight=False)


@twin_app.command("simulate")
def twin_simulate(
    waves: WavePaths,
    output: Annotated[Path, typer.Option("-o", "--output", help="Resultat per elev (CSV).")],
    intervention: Annotated[list[str], typer.Option(
        "--intervention", help="NAMN[:ARG]: regroup, defenders[:3|:id,id], adults[:0.3], "
        "buddies. Kan anges flera gånger.")],
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Bara den här klassen (annars alla).")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Simulerade terminer per insats.")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    autolarm: AutolarmOption = False,
    reveal_ids: Annotated[bool, typer.Option(
        "--reveal-ids", help="Skriv skolans egna elev-id i filen (annars pseudonymer).")
    ] = False,
) -> None:
    """Simulera nästa termin med och utan insatser; jämför förväntad utsatthet."""
    import pandas as pd

    from kraftsamling.twin import class_twin, parse_intervention

    try:
        chosen = [parse_intervention(text) for text in intervention]
    except ValueError as error:
        fail(str(error))
    if runs < 10:
        fail("--runs måste vara minst 10.")
    read = _twin_waves(waves, autolarm=autolarm, reveal=reveal_ids)
    if reveal_ids:  # the command line names pupils by the school's own ids
        aliases = {o: a for w in read for a, o in w.originals.items()}
        chosen = [type(c)(c.name, tuple(aliases.get(p, p) for p in c.pupils), c.count,
                          c.amount) for c in chosen]
    classes = [class_name] if class_name else read[-1].classes
    parts = []
    summary = Table("Klass", "Insats", "Förväntat antal utsatta (95 %)",
                    "Förändring mot ingen insats (95 % KI)")
    for name in classes:
        try:
            twin = class_twin(read, name, chosen, runs=runs, seed=seed,
                              note=lambda text: err_console.print(text))
        except ValueError as error:
            fail(str(error))
        for _, row in twin.summary.iterrows():
            summary.add_row(name, str(row["label"]),
                            f"{row['expected_victims']:.1f} ({row['victims_low']:.0f}–"
                            f"{row['victims_high']:.0f})",
                            "–" if row["intervention"] == "none" else
                            f"{row['change']:+.2f} ({row['change_low']:+.2f} till "
                            f"{row['change_high']:+.2f})")
        risks = twin.risks.rename(columns=lambda c: f"risk_{c}").reset_index(
            names="pupil_id")
        for column in [c for c in risks.columns if c.startswith("risk_") and c != "risk_none"]:
            risks[column.replace("risk_", "change_")] = risks[column] - risks["risk_none"]
        parts.append(risks.assign(**{"class": name}))
    table = pd.concat(parts, ignore_index=True)
    table = table[["pupil_id", "class", *[c for c in table.columns
                                          if c not in ("pupil_id", "class")]]].round(4)
    if reveal_ids:
        table = _reveal(table, read)
    safe_frame(table).to_csv(output, index=False)  # OWASP: no formulas
    console.print(summary)
    console.print(f"Risk per elev och insats i {output}. Simuleringen visar förväntningar, "
                  "inte besked om enskilda elever.")


@twin_app.command("import-matrices")
def twin_import_matrices(
    directory: Annotated[Path, typer.Argument(help="Mappen med matrisfilerna (.dat).")],
    prefix: Annotated[str, typer.Option(
        "--prefix", help="Filnamnens början: klas12b-net- läser klas12b-net-1.dat, "
        "klas12b-net-2.dat …")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Mapp för enkätfilerna.")],
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Klassens namn (annars mappens namn).")] = None,
    gender: Annotated[str | None, typer.Option(
        "--gender", help="Kön: ett värde för alla (flicka) eller FIL[:KOLUMN] kodad 1 flicka, "
        "2 pojke.")] = None,
    attribute: Annotated[list[str] | None, typer.Option(
        "--attribute", help="NAMN=FIL[@FÖRSTA_MÄTNINGEN], t.ex. alkohol=klas12b-alcohol.dat@2; "
        "0 betyder saknas. Kan anges flera gånger.")] = None,
) -> None:
    """Läs RSiena-matriser (en .dat per mätning; 9 saknas, 10 inte i klassen) och skriv dem
    som enkätfiler som tvillingen läser, ett beteende per fil."""
    from kraftsamling.twin import (
        read_behaviour_matrix,
        read_matrix_waves,
        write_behaviour,
        write_survey_waves,
    )

    if not directory.is_dir():
        fail(f"Mappen {directory} finns inte.")
    try:
        waves = read_matrix_waves(directory, prefix, class_name=class_name, gender=gender)
        n = len({p for w in waves for p in w.originals})
        behaviours = []
        for spec in attribute or []:
            name, sep, rest = spec.partition("=")
            if not sep or not name.strip() or not rest.strip():
                raise ValueError(f"--attribute {spec!r}: skriv NAMN=FIL eller NAMN=FIL@N.")
            file, _, first = rest.partition("@")
            if first and not first.strip().isdigit():
                raise ValueError(f"--attribute {spec!r}: efter @ kommer mätningens nummer.")
            frame = read_behaviour_matrix(directory / file.strip(), waves,
                                          first_wave=int(first or 1))
            behaviours.append((name.strip(), frame))
    except ValueError as error:
        fail(str(error))
    paths = write_survey_waves(waves, output)
    originals = {a: o for w in waves for a, o in w.originals.items()}
    for name, frame in behaviours:
        write_behaviour(frame, output / f"{name}.csv", name=name, originals=originals)
    console.print(f"{len(paths)} mätningar med {n} elever i {output}: "
                  + ", ".join(p.name for p in paths)
                  + ("; beteenden: " + ", ".join(f"{b}.csv" for b, _ in behaviours)
                     if behaviours else "") + ".", highlight=False)


@twin_app.command("import-edges")
def twin_import_edges(
    edges: Annotated[Path, typer.Argument(help="Kantlista: from,to[,wave][,tie].")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Mapp för enkätfilerna.")],
    pupils: Annotated[Path | None, typer.Option(
        "--pupils", help="Elevlista med kolumnerna 'pupil_id' och valfritt 'wave', 'class' och "
        "'gender' — vem som är med i varje mätning.")] = None,
    class_name: Annotated[str, typer.Option("--class", help="Klassens namn.")] = "klass",
) -> None:
    """Läs en kantlista (en rad per vänskap; tie 9 = okänd) och skriv enkätfiler."""
    from kraftsamling.tabular import read_table
    from kraftsamling.twin import read_edge_list, write_survey_waves

    try:
        roster = read_table(pupils).frame if pupils is not None else None
        waves = read_edge_list(edges, pupils=roster, class_name=class_name)
    except ValueError as error:
        fail(str(error))
    paths = write_survey_waves(waves, output)
    console.print(f"{len(paths)} mätningar i {output}: " + ", ".join(p.name for p in paths)
                  + ".", highlight=False)


@twin_app.command("evaluate")
def twin_evaluate(
    waves: WavePaths,
    behaviour: Annotated[Path | None, typer.Option(
        "--behaviour", help="Ett beteende per mätning: kolumnen 'pupil_id' och en kolumn per "
        "mätning.")] = None,
    class_name: Annotated[str | None, typer.Option(
        "--class", help="Bara den här klassen (annars alla).")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Simulerade terminer.")] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Skriv också måtten som en rad JSON sist, för skript.")] = False,
    quick: Annotated[bool, typer.Option(
        "--quick", help="Snabbare, grövre anpassning (som webbsidan).")] = False,
) -> None:
    """Hur väl terminsmodellen stämmer med verkliga mätningar: anpassad på näst sista
    övergången, prövad på den sista (goodness of fit som RSiena:s sienaGOF, och AUC)."""
    import json

    import numpy as np

    from kraftsamling.settings import pseudonym_key
    from kraftsamling.twin import (
        QUICK_FIT,
        evaluate_classes,
        evaluate_prediction,
        pooled_summary,
    )
    from kraftsamling.twin import read_behaviour as read_behaviour_file

    if runs < 10:
        fail("--runs måste vara minst 10.")
    read = _twin_waves(waves, autolarm=False)
    levels, name = None, None
    try:
        if behaviour is not None:
            name, levels = read_behaviour_file(behaviour, key=pseudonym_key(shell.settings()))
        with err_console.status("Anpassar och simulerar …"):
            evaluations = evaluate_classes(read, behaviour=levels, behaviour_name=name,
                                           class_name=class_name, runs=runs, seed=seed,
                                           fit_options=QUICK_FIT if quick else None)
    except ValueError as error:
        fail(str(error))
    for evaluation in evaluations:
        m = evaluation.metrics
        head = (f"Klass {evaluation.class_name}: anpassad på mätning "
                f"{evaluation.fitted_on[0]}→{evaluation.fitted_on[1]}, prövad på "
                f"{evaluation.tested_on[0]}→{evaluation.tested_on[1]} ({evaluation.pupils} "
                f"elever, {evaluation.runs} simulerade terminer)")
        fit = Table("Statistik", "Observerat", "Simulerat medel (90 %)", "p", title=head)
        for statistic in evaluation.statistics:
            table = statistic.table()
            shown = table if len(table) <= 3 else table.iloc[[0, len(table) // 2, -1]]
            observed = ", ".join(f"{v:g}" for v in np.round(shown["observed"], 3))
            simulated = ", ".join(f"{a:.3g} ({lo:.3g}–{hi:.3g})" for a, lo, hi in zip(
                shown["simulated_mean"], shown["simulated_5"], shown["simulated_95"],
                strict=True))
            fit.add_row(statistic.label, observed, simulated, f"{statistic.p:.3f}")
        console.print(fit)
        prediction = Table("Förutsägelse", "Tvillingen", "För fram senaste", "Logistisk (par)")
        prediction.add_row("Vänskap nästa mätning (AUC)", f"{m['tie_auc']:.3f}",
                           f"{m['tie_auc_carry_forward']:.3f}", f"{m['tie_auc_logistic']:.3f}")
        prediction.add_row("Isolerad nästa mätning (AUC)", f"{m['isolation_auc']:.3f}",
                           f"{m['isolation_auc_carry_forward']:.3f}", "–")
        console.print(prediction)
        for note in evaluation.notes:
            err_console.print(note)
    summary = pooled_summary(evaluations)
    try:
        victimisation = evaluate_prediction(read)
        summary["victimisation_auc"] = round(victimisation["auc"], 4)
        summary["victimisation_auc_carry_forward"] = round(
            victimisation["carry_forward_auc"], 4)
        console.print(f"Utsatthet nästa mätning: AUC {victimisation['auc']:.3f} mot "
                      f"{victimisation['carry_forward_auc']:.3f} för att föra fram senaste.",
                      highlight=False)
    except ValueError:
        console.print("Utsatthet: mätningarna saknar nomineringar av elaka elever.")
    if as_json:
        print(json.dumps(summary, ensure_ascii=False, allow_nan=False, default=str))
