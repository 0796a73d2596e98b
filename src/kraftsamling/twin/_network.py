"""Network features per pupil and per class (networkx), and a wave as the simulator's state.

Only ties inside a class count: a nomination of a pupil in another class is kept in the
wave but does not shape this class's network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from kraftsamling.twin._model import ClassState
from kraftsamling.twin._survey import Wave

__all__ = ["FEATURE_LABELS", "class_features", "class_graphs", "class_state",
           "pupil_features"]

FEATURE_LABELS = {
    "victimised": "blev utsatt vid senaste mätningen",
    "mean_nominations": "antal elever som är elaka mot eleven",
    "defenders": "antal elever som försvarar eleven",
    "in_degree": "antal som kallar eleven vän",
    "out_degree": "antal vänner eleven nämner",
    "reciprocated": "ömsesidiga vänskaper",
    "isolated": "saknar ömsesidig vän",
    "popularity": "popularitet i klassen",
    "group_size": "storlek på kompisgruppen",
    "victimised_friends": "vänner som själva är utsatta",
    "homophily": "andel vänner av samma kön",
    "bullying_others": "antal som säger att eleven är elak mot dem",
    "wellbeing": "välmående (1–5)",
    "low_wellbeing": "lågt välmående (under 3)",
    "alarm": "fritextsvar som autolarm flaggade",
    "class_density": "täthet i klassens vänskapsnät",
    "class_victim_share": "andel utsatta i klassen",
}


def class_graphs(wave: Wave, class_name: str) -> dict[str, nx.DiGraph]:
    """The class's three directed graphs: friends, mean (bully → victim), defends."""
    members = set(wave.pupils.loc[wave.pupils["class"] == class_name, "pupil_id"])
    graphs: dict[str, nx.DiGraph] = {}
    for name, edges in (("friends", wave.friends), ("mean", wave.mean),
                        ("defends", wave.defends)):
        graph = nx.DiGraph()
        graph.add_nodes_from(sorted(members))
        graph.add_edges_from((a, b) for a, b in edges if a in members and b in members)
        graphs[name] = graph
    return graphs


def _hierarchy(graph: nx.DiGraph) -> float:
    """Gini coefficient of friendship in-degrees: 0 when everyone is named equally often."""
    values = np.sort(np.array([d for _, d in graph.in_degree()], dtype=float))
    if len(values) == 0 or values.sum() == 0:
        return 0.0
    n = len(values)
    return float((2 * np.arange(1, n + 1) - n - 1).dot(values) / (n * values.sum()))


def class_features(wave: Wave, class_name: str) -> dict[str, Any]:
    """Density, reciprocity, hierarchy, groups and the bully–victim structure of a class."""
    graphs = class_graphs(wave, class_name)
    friends, mean = graphs["friends"], graphs["mean"]
    n = friends.number_of_nodes()
    bullies = {a for a, _ in mean.edges()}
    victims = {b for _, b in mean.edges()}
    groups = _communities(friends)
    return {
        "class": class_name, "pupils": n,
        "density": round(nx.density(friends), 4) if n > 1 else 0.0,
        "reciprocity": round(nx.reciprocity(friends), 4) if friends.number_of_edges() else 0.0,
        "hierarchy": round(_hierarchy(friends), 4),
        "groups": len(set(groups.values())),
        "victims": len(victims), "bullies": len(bullies),
        "bully_victims": len(bullies & victims),
        "victim_share": round(len(victims) / n, 4) if n else 0.0,
    }


def _communities(friends: nx.DiGraph) -> dict[str, int]:
    """Friendship groups by greedy modularity on mutual-or-single ties (fixed, no seed)."""
    undirected = friends.to_undirected()
    if undirected.number_of_edges() == 0:
        return {node: i for i, node in enumerate(undirected.nodes)}
    parts = nx.algorithms.community.greedy_modularity_communities(undirected)
    return {node: g for g, part in enumerate(parts) for node in part}


def pupil_features(wave: Wave, *, classes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per pupil: network position, victimisation, defenders, wellbeing, alarm.

    ``classes`` limits the work to those classes; a missing wellbeing is still filled with
    the median of the whole wave.
    """
    rows = []
    for class_name in classes if classes is not None else wave.classes:
        graphs = class_graphs(wave, class_name)
        friends, mean, defends = graphs["friends"], graphs["mean"], graphs["defends"]
        n = friends.number_of_nodes()
        groups = _communities(friends)
        group_sizes = pd.Series(groups).value_counts()
        victims = {b for _, b in mean.edges()}
        density = nx.density(friends) if n > 1 else 0.0
        pupils = wave.pupils[wave.pupils["class"] == class_name].set_index("pupil_id")
        gender = {str(k): str(v) for k, v in pupils["gender"].items()}
        wellbeing_of = {str(k): float(v) for k, v in pupils["wellbeing"].items()}
        alarm_of = {str(k): bool(v) for k, v in pupils["alarm"].items()}
        for pupil in friends.nodes:
            named = set(friends.successors(pupil))
            mutual = named & set(friends.predecessors(pupil))
            same = [gender[f] == gender[pupil] for f in named]
            wellbeing = wellbeing_of[pupil]
            rows.append({
                "pupil_id": pupil, "class": class_name,
                "victimised": float(pupil in victims),
                "mean_nominations": float(mean.in_degree(pupil)),
                "defenders": float(defends.in_degree(pupil)),
                "in_degree": float(friends.in_degree(pupil)),
                "out_degree": float(len(named)),
                "reciprocated": float(len(mutual)),
                "isolated": float(not mutual),
                "popularity": friends.in_degree(pupil) / max(n - 1, 1),
                "group": f"{class_name}-{groups[pupil] + 1}",
                "group_size": float(group_sizes[groups[pupil]]),
                "victimised_friends": float(len(named & victims)),
                "homophily": float(np.mean(same)) if same else 0.0,
                "bullying_others": float(mean.out_degree(pupil)),
                "wellbeing": wellbeing,
                "alarm": float(alarm_of[pupil]),
                "class_density": density,
                "class_victim_share": len(victims) / n if n else 0.0,
            })
    frame = pd.DataFrame(rows)
    if not frame.empty:
        known = wave.pupils["wellbeing"].dropna()
        median = known.median() if len(known) else float("nan")  # no warning when none
        frame["wellbeing"] = frame["wellbeing"].fillna(3.0 if pd.isna(median) else median)
        frame["low_wellbeing"] = (frame["wellbeing"] < 3).astype(float)
    return frame


def class_state(wave: Wave, class_name: str) -> ClassState:
    """The simulator's starting point from a wave. Unobserved traits are estimated from what
    is observed: vulnerability from wellbeing, isolation and victimisation; status motive
    from being named as mean; empathy from defending others."""
    graphs = class_graphs(wave, class_name)
    ids = list(graphs["friends"].nodes)
    index = {p: i for i, p in enumerate(ids)}
    n = len(ids)
    frame = pupil_features(wave, classes=[class_name]).set_index("pupil_id").loc[ids]
    pupils = wave.pupils.set_index("pupil_id").loc[ids]

    def matrix(name: str) -> np.ndarray[Any, Any]:
        result = np.zeros((n, n), dtype=bool)
        for a, b in graphs[name].edges():
            result[index[a], index[b]] = True
        return result

    def z(values: pd.Series) -> np.ndarray[Any, Any]:
        array = values.to_numpy(float)
        spread = array.std()
        return (array - array.mean()) / spread if spread > 0 else np.zeros(n)

    defended_others = matrix("defends").sum(axis=1).astype(float)
    girls = pupils["gender"].isin(["flicka", "f", "girl", "kvinna", "tjej"])
    return ClassState(
        ids=ids, gender=girls.to_numpy().astype(int),
        wellbeing=frame["wellbeing"].to_numpy(float),
        status=z(frame["bullying_others"]),
        vulnerability=z(-frame["wellbeing"] + 0.5 * frame["isolated"]
                        + 0.5 * frame["victimised"]),
        empathy=z(pd.Series(defended_others)),
        friends=matrix("friends"), bullies=matrix("mean"), defends=matrix("defends"))
