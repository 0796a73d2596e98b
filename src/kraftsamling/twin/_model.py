"""An agent-based model of one school term in one class (Mesa).

Pupils are Mesa agents; the class is the model. Each step (about two weeks) three things
happen, in the spirit of stochastic actor-oriented models (RSiena) and bullying research:

1. friendship: every pupil may add or drop one nomination, choosing by a multinomial logit
   over the change in an evaluation function — outdegree and activity (costs), reciprocity,
   transitivity
   (friends of friends), similarity (gender), popularity, and avoidance of victimised peers;
2. bullying: pupil *i* is mean to *j* with a probability that rises with *i*'s status motive
   and *j*'s vulnerability and isolation, falls with *j*'s defenders and with friendship, and
   persists from the last step; adults present scale it down;
3. defending: classmates — friends above all, and empathic pupils — defend those bullied.

The steps are vectorised over the class (numpy on n×n matrices), so a Monte Carlo of a
thousand terms takes seconds; the agents carry each pupil's attributes and read their ties
from the model.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import mesa
import numpy as np

__all__ = ["ClassState", "ClassroomModel", "Pupil", "TermParameters"]

Matrix = np.ndarray[Any, Any]


@dataclass(frozen=True)
class TermParameters:
    """The rules of a term. Defaults are plausible values; ``fit_parameters`` adjusts the
    rates that differ most between classes (friendship density and bullying base rate)."""

    steps: int = 8
    recall_steps: int = 3  # the survey asks about the last weeks, not one day
    # friendship evaluation (log-odds per unit)
    density: float = -1.0
    activity: float = 0.35  # each friend already named makes another less likely
    reciprocity: float = 1.8
    transitivity: float = 0.2
    similarity: float = 0.8
    popularity: float = 0.3
    avoid_victims: float = 0.6
    # bullying, per ordered pair and step
    bully_base: float = -6.6
    status: float = 0.9
    vulnerability: float = 1.3
    isolation: float = 1.1
    defenders: float = 0.9
    friendship: float = 2.0
    persistence: float = 3.2
    # defending, per classmate and victim
    defend_base: float = -3.2
    defend_friend: float = 2.2
    empathy: float = 1.0
    # interventions
    adult_presence: float = 0.0  # share of bullying prevented by adults at hot spots
    # how often pupils revise a friendship: expected opportunities per pupil and term (one
    # per step by default); fitted to a class's waves by ``fit_term``
    friend_rate: float = 8.0
    behaviour_similarity: float = 0.0  # friends chosen among pupils who behave alike
    # a behaviour (alcohol, smoking, …) on a scale; moves one step at a time
    behaviour_rate: float = 0.0  # expected opportunities per pupil and term
    behaviour_linear: float = 0.0  # tendency upwards (per level, centred)
    behaviour_quadratic: float = 0.0  # pull to the middle (< 0) or the ends (> 0)
    behaviour_influence: float = 0.0  # become like one's friends (average similarity)
    bullying: bool = True  # False when the waves carry friendship only

    def with_values(self, **values: float) -> TermParameters:
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError("Okända parametrar: " + ", ".join(unknown))
        return replace(self, **values)  # type: ignore[arg-type]


@dataclass
class ClassState:
    """A class at one moment: who is friends with, mean to and defends whom, and each
    pupil's attributes. ``ids`` are pseudonyms; matrices are indexed like ``ids``."""

    ids: list[str]
    gender: Matrix  # 0/1
    wellbeing: Matrix  # 1–5, higher is better
    status: Matrix  # standardised status motive
    vulnerability: Matrix  # standardised
    empathy: Matrix  # standardised
    friends: Matrix  # friends[i, j]: i names j as a friend
    bullies: Matrix  # bullies[i, j]: i is mean to j
    defends: Matrix  # defends[k, j]: k defends j
    behaviour: Matrix | None = None  # a level per pupil (alcohol, smoking …), or None
    behaviour_range: tuple[float, float] = (1.0, 5.0)  # the scale's lowest and highest level

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def victimised(self) -> Matrix:
        return np.asarray(self.bullies.any(axis=0))

    def copy(self) -> ClassState:
        return ClassState(list(self.ids), self.gender.copy(), self.wellbeing.copy(),
                          self.status.copy(), self.vulnerability.copy(), self.empathy.copy(),
                          self.friends.copy(), self.bullies.copy(), self.defends.copy(),
                          None if self.behaviour is None else self.behaviour.copy(),
                          self.behaviour_range)


def _sigmoid(x: Matrix) -> Matrix:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


class Pupil(mesa.Agent):  # type: ignore[misc]
    """One pupil: attributes of their own, ties read from the class."""

    def __init__(self, model: ClassroomModel, index: int, pupil_id: str) -> None:
        super().__init__(model)
        self.index = index
        self.pupil_id = pupil_id

    @property
    def friends(self) -> list[str]:
        model: ClassroomModel = self.model
        return [model.state.ids[j] for j in np.flatnonzero(model.state.friends[self.index])]

    @property
    def bullied_by(self) -> list[str]:
        model: ClassroomModel = self.model
        return [model.state.ids[i] for i in np.flatnonzero(model.state.bullies[:, self.index])]

    @property
    def defended_by(self) -> list[str]:
        model: ClassroomModel = self.model
        return [model.state.ids[k] for k in np.flatnonzero(model.state.defends[:, self.index])]


class ClassroomModel(mesa.Model):  # type: ignore[misc]
    """One class through one term: ``run()`` takes ``parameters.steps`` steps; the survey at
    the end of term sees the ties of the last ``recall_steps`` steps."""

    def __init__(self, state: ClassState, parameters: TermParameters | None = None, *,
                 seed: int | None = None, defender_boost: Matrix | None = None) -> None:
        super().__init__(seed=seed)
        self.state = state.copy()
        self.parameters = parameters or TermParameters()
        self.random_numbers = np.random.default_rng(seed)
        n = self.state.n
        self.same_gender = self.state.gender[:, None] == self.state.gender[None, :]
        self.off_diagonal = ~np.eye(n, dtype=bool)
        self.defender_boost = (np.zeros(n) if defender_boost is None
                               else np.asarray(defender_boost, float))
        self.recent_bullies = np.zeros((n, n), dtype=bool)
        self.steps_taken = 0
        for index, pupil_id in enumerate(self.state.ids):
            Pupil(self, index, pupil_id)

    def _friendship_step(self) -> None:
        # friend_rate opportunities per pupil and term, spread over the steps in rounds in
        # which each pupil acts with a probability (one sure round per step by default)
        share = self.parameters.friend_rate / self.parameters.steps
        rounds = max(1, int(np.ceil(share - 1e-9)))
        for _ in range(rounds):
            self._friendship_round(min(1.0, share / rounds))

    def _behaviour_similarity(self) -> Matrix:
        s = self.state
        if s.behaviour is None:
            return np.zeros((s.n, s.n))
        low, high = s.behaviour_range
        spread = max(high - low, 1.0)
        result: Matrix = 1.0 - np.abs(s.behaviour[:, None] - s.behaviour[None, :]) / spread
        return result - float(result[self.off_diagonal].mean()) if s.n > 1 else result

    def _friendship_round(self, chance: float) -> None:
        s, p, rng = self.state, self.parameters, self.random_numbers
        f = s.friends.astype(float)
        n = s.n
        sign = 1.0 - 2.0 * f  # +1 adds a tie, −1 drops it
        two_paths = np.minimum(f @ f, 4.0)
        indegree = f.sum(axis=0) / max(n - 1, 1)
        outdegree = f.sum(axis=1) - f  # friends named besides j
        victim = s.victimised.astype(float)
        gain = sign * (p.density - p.activity * outdegree + p.reciprocity * f.T
                       + p.transitivity * two_paths
                       + p.similarity * self.same_gender + p.popularity * indegree[None, :]
                       - p.avoid_victims * victim[None, :])
        if p.behaviour_similarity:
            gain += sign * p.behaviour_similarity * self._behaviour_similarity()
        gain[~self.off_diagonal] = -np.inf
        options = np.concatenate([gain, np.zeros((n, 1))], axis=1)  # last column: no change
        choice = np.argmax(options + rng.gumbel(size=options.shape), axis=1)
        if chance < 1.0:
            choice[rng.random(n) >= chance] = n  # no opportunity this round
        movers = np.flatnonzero(choice < n)
        s.friends[movers, choice[movers]] = ~s.friends[movers, choice[movers]]

    def _behaviour_step(self) -> None:
        s, p, rng = self.state, self.parameters, self.random_numbers
        if s.behaviour is None or p.behaviour_rate <= 0:
            return
        share = p.behaviour_rate / p.steps
        rounds = max(1, int(np.ceil(share - 1e-9)))
        low, high = s.behaviour_range
        spread = max(high - low, 1.0)
        centre = (low + high) / 2
        friends = s.friends.astype(float)
        named = friends.sum(axis=1)
        for _ in range(rounds):
            level = s.behaviour
            options = level[:, None] + np.array([-1.0, 0.0, 1.0])[None, :]
            z = options - centre
            similar = 1.0 - np.abs(options[:, :, None] - level[None, None, :]) / spread
            average = np.where(named[:, None] > 0,
                               np.einsum("ikj,ij->ik", similar, friends)
                               / np.maximum(named, 1.0)[:, None], 0.0)
            value = (p.behaviour_linear * z + p.behaviour_quadratic * z ** 2
                     + p.behaviour_influence * average)
            value[(options < low) | (options > high)] = -np.inf
            choice = np.argmax(value + rng.gumbel(size=value.shape), axis=1)
            acting = rng.random(s.n) < min(1.0, share / rounds)
            s.behaviour = level + np.where(acting, choice - 1.0, 0.0)

    def _bullying_step(self) -> None:
        s, p, rng = self.state, self.parameters, self.random_numbers
        friends = s.friends
        mutual = friends & friends.T
        isolated = (~mutual.any(axis=1)).astype(float)
        n_defenders = s.defends.sum(axis=0)
        logit = (p.bully_base + p.status * s.status[:, None]
                 + p.vulnerability * s.vulnerability[None, :] + p.isolation * isolated[None, :]
                 - p.defenders * n_defenders[None, :] - p.friendship * friends
                 + p.persistence * s.bullies)
        chance = _sigmoid(logit) * (1.0 - p.adult_presence)
        s.bullies = (rng.random(chance.shape) < chance) & self.off_diagonal
        victims: Matrix = np.asarray(s.bullies.any(axis=0))
        logit = (p.defend_base + p.defend_friend * friends.astype(float)
                 + (p.empathy * s.empathy + self.defender_boost)[:, None])
        defends = rng.random(logit.shape) < _sigmoid(logit)
        s.defends = defends & victims[None, :] & ~s.bullies & self.off_diagonal

    def step(self) -> None:
        self._friendship_step()
        self._behaviour_step()
        if self.parameters.bullying:
            self._bullying_step()
        self.steps_taken += 1
        if self.steps_taken > self.parameters.steps - self.parameters.recall_steps:
            self.recent_bullies |= self.state.bullies

    def run(self) -> ClassState:
        """A whole term; the returned state's ``bullies`` are those of the recall window,
        what the end-of-term survey would record."""
        for _ in range(self.parameters.steps):
            self.step()
        self.state.bullies = self.recent_bullies.copy()
        return self.state
