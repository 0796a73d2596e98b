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

__all__ = ["ClassState", "ClassroomModel", "Pupil", "TermParameters", "behaviour_step",
           "friendship_round", "simulate_friendship"]

Matrix = np.ndarray[Any, Any]


@dataclass(frozen=True)
class TermParameters:
    """The rules of a term. Defaults are plausible values; ``fit_parameters`` adjusts the
    rates that differ most between classes (friendship density and bullying base rate)."""

    steps: int = 8
    recall_steps: int = 3  # the survey asks about the last weeks, not one day
    # friendship evaluation (log-odds per unit)
    density: float = -1.0  # a nomination's base value (outdegree in RSiena's terms)
    activity: float = 0.35  # each friend already named makes another less likely
    reciprocity: float = 1.8  # naming a pupil who names you
    transitivity: float = 0.2  # per friend in common (capped at four two-paths)
    similarity: float = 0.8  # same gender
    popularity: float = 0.3  # per share of the class that already names the pupil
    avoid_victims: float = 0.6  # pupils shun a classmate who is bullied
    # bullying, per ordered pair and step
    bully_base: float = -6.6  # base log-odds that one pupil bullies another in a step
    status: float = 0.9  # per unit of the bully's status motive
    vulnerability: float = 1.3  # per unit of the victim's vulnerability
    isolation: float = 1.1  # the victim has no mutual friend
    defenders: float = 0.9  # per classmate defending the victim (lowers the odds)
    friendship: float = 2.0  # a pupil rarely bullies one they name as friend
    persistence: float = 3.2  # bullying in the last step goes on
    # defending, per classmate and victim
    defend_base: float = -3.2  # base log-odds that a classmate defends a victim
    defend_friend: float = 2.2  # the victim is the classmate's friend
    empathy: float = 1.0  # per unit of the classmate's empathy
    # interventions
    adult_presence: float = 0.0  # share of bullying prevented by adults at hot spots
    # how often pupils revise a friendship: expected opportunities per pupil and term (None:
    # one per step); fitted to a class's waves by ``fit_term``
    friend_rate: float | None = None
    behaviour_similarity: float = 0.0  # friends chosen among pupils who behave alike
    endowment: float = 0.0  # an existing friendship is worth more kept than it was to make
    balance: float = 0.0  # friends are chosen among those who name the same friends
    cycles: float = 0.0  # naming a friend who reaches one through a friend (three-cycles;
    # negative: friendship has a direction of status, as the field usually finds)
    transitive_reciprocity: float = 0.0  # closing a triangle with a mutual friend (RSiena's
    # transitive reciprocated triplets; negative: mutual cliques grow less than both suggest)
    # lasting differences between pupils, read from the wave the term starts from
    # (standardised): some are named by many (attractiveness), some name many (sociability)
    attractiveness: float = 0.0
    sociability: float = 0.0
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


def _standardised(values: Matrix) -> Matrix:
    values = np.asarray(values, dtype=float)
    spread = values.std()
    return (values - values.mean()) / spread if spread > 0 else np.zeros_like(values)


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
        self.named_by = _standardised(self.state.friends.sum(axis=0))
        self.names = _standardised(self.state.friends.sum(axis=1))
        self.steps_taken = 0
        for index, pupil_id in enumerate(self.state.ids):
            Pupil(self, index, pupil_id)

    def _friendship_step(self) -> None:
        # friend_rate opportunities per pupil and term, spread over the steps in rounds in
        # which each pupil acts with a probability (one sure round per step by default)
        rounds, chance = _rounds(self.parameters.friend_rate, self.parameters.steps)
        for _ in range(rounds):
            self._friendship_round(chance)

    def _friendship_round(self, chance: float) -> None:
        s = self.state
        friendship_round(s.friends[None], self.parameters, self.random_numbers, chance,
                         same_gender=self.same_gender,
                         victim=s.victimised.astype(float)[None],
                         named_by=self.named_by, names=self.names,
                         behaviour=None if s.behaviour is None else s.behaviour[None],
                         behaviour_range=s.behaviour_range)

    def _behaviour_step(self) -> None:
        s = self.state
        if s.behaviour is None or self.parameters.behaviour_rate <= 0:
            return
        levels = s.behaviour[None].copy()
        behaviour_step(levels, s.friends[None], self.parameters, self.random_numbers,
                       s.behaviour_range)
        s.behaviour = levels[0]

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


def _rounds(rate: float | None, steps: int) -> tuple[int, float]:
    """``rate`` opportunities per pupil and term as rounds per step, each pupil acting in a
    round with a probability (one sure round per step when the rate is None or the steps)."""
    share = 1.0 if rate is None else rate / steps
    rounds = max(1, int(np.ceil(share - 1e-9)))
    return rounds, min(1.0, share / rounds)


def friendship_round(friends: Matrix, p: TermParameters, rng: np.random.Generator,
                     chance: float, *, same_gender: Matrix, victim: Matrix, named_by: Matrix,
                     names: Matrix, behaviour: Matrix | None = None,
                     behaviour_range: tuple[float, float] = (1.0, 5.0)) -> None:
    """One round of friendship choices in ``friends`` (runs × n × n, changed in place): each
    pupil may add or drop one nomination by a multinomial logit over the change in their
    evaluation, or keep things as they are."""
    f = friends.astype(float)
    runs, n = f.shape[0], f.shape[1]
    sign = 1.0 - 2.0 * f  # +1 adds a tie, −1 drops it
    indegree = f.sum(axis=1) / max(n - 1, 1)
    outdegree = f.sum(axis=2)[:, :, None] - f  # friends named besides j
    two_paths = np.minimum(f @ f, 4.0)
    value = (p.density - p.activity * outdegree + p.reciprocity * f.transpose(0, 2, 1)
             + p.transitivity * two_paths + p.similarity * same_gender[None]
             + p.popularity * indegree[:, None, :] - p.avoid_victims * victim[:, None, :])
    if p.behaviour_similarity and behaviour is not None:
        spread = max(behaviour_range[1] - behaviour_range[0], 1.0)
        similar = 1.0 - np.abs(behaviour[:, :, None] - behaviour[:, None, :]) / spread
        off = ~np.eye(n, dtype=bool)
        value = value + p.behaviour_similarity * (
            similar - similar[:, off].mean(axis=1)[:, None, None])
    if p.balance:
        value = value + p.balance * np.minimum(f @ f.transpose(0, 2, 1), 4.0)
    if p.cycles:
        value = value + p.cycles * two_paths.transpose(0, 2, 1)
    if p.transitive_reciprocity:
        value = value + p.transitive_reciprocity * f.transpose(0, 2, 1) * two_paths
    if p.attractiveness or p.sociability:
        value = value + (p.attractiveness * named_by[None, None, :]
                         + p.sociability * names[None, :, None])
    gain = sign * value - p.endowment * f  # dropping a friendship loses its endowment too
    gain[:, np.arange(n), np.arange(n)] = -np.inf
    options = np.concatenate([gain, np.zeros((runs, n, 1))], axis=2)  # last: no change
    # a multinomial logit draw by the inverse of its cumulative probabilities: one uniform
    # number per pupil instead of a Gumbel per option
    weights = np.exp(options - options.max(axis=2, keepdims=True))
    cumulative = np.cumsum(weights, axis=2)
    draw = rng.random((runs, n, 1)) * cumulative[:, :, -1:]
    choice = np.minimum((cumulative < draw).sum(axis=2), n)
    if chance < 1.0:
        choice[rng.random((runs, n)) >= chance] = n  # no opportunity this round
    run, pupil = np.nonzero(choice < n)
    friend = choice[run, pupil]
    friends[run, pupil, friend] = ~friends[run, pupil, friend]


def behaviour_step(levels: Matrix, friends: Matrix, p: TermParameters,
                   rng: np.random.Generator, behaviour_range: tuple[float, float]) -> None:
    """One step of a behaviour (runs × n, changed in place): each pupil with an opportunity
    moves one level up, down or stays, by a multinomial logit over a linear and a quadratic
    tendency and the average similarity to their friends (influence)."""
    rounds, chance = _rounds(p.behaviour_rate, p.steps)
    low, high = behaviour_range
    spread = max(high - low, 1.0)
    centre = (low + high) / 2
    f = friends.astype(float)
    named = f.sum(axis=2)
    moves = np.array([-1.0, 0.0, 1.0])
    for _ in range(rounds):
        options = levels[:, :, None] + moves[None, None, :]  # runs × n × 3
        z = options - centre
        similar = 1.0 - np.abs(options[:, :, :, None] - levels[:, None, None, :]) / spread
        average = np.einsum("rikj,rij->rik", similar, f) / np.maximum(named, 1.0)[:, :, None]
        average = np.where(named[:, :, None] > 0, average, 0.0)
        value = (p.behaviour_linear * z + p.behaviour_quadratic * z ** 2
                 + p.behaviour_influence * average)
        value[(options < low) | (options > high)] = -np.inf
        choice = np.argmax(value + rng.gumbel(size=value.shape), axis=2)
        acting = rng.random(levels.shape) < chance
        levels += np.where(acting, choice - 1.0, 0.0)


def simulate_friendship(state: ClassState, parameters: TermParameters, *, runs: int,
                        seed: int = 0) -> tuple[Matrix, Matrix | None]:
    """``runs`` terms at once (friendship and behaviour; victimisation held as at the start),
    vectorised over the runs: the same friendship rules as ``ClassroomModel``. Returns
    the friendships (runs × n × n) and the behaviour levels (runs × n) at the end."""
    p = parameters
    rng = np.random.default_rng(seed)
    friends = np.repeat(state.friends[None], runs, axis=0)
    levels = None if state.behaviour is None else np.repeat(
        state.behaviour[None].astype(float), runs, axis=0)
    same_gender = state.gender[:, None] == state.gender[None, :]
    named_by = _standardised(state.friends.sum(axis=0))
    names = _standardised(state.friends.sum(axis=1))
    # who is victimised stays as at the start: these terms simulate friendship, not bullying
    victim = np.repeat(state.victimised.astype(float)[None], runs, axis=0)
    rounds, chance = _rounds(p.friend_rate, p.steps)
    for _ in range(p.steps):
        for _ in range(rounds):
            friendship_round(friends, p, rng, chance, same_gender=same_gender, victim=victim,
                             named_by=named_by, names=names, behaviour=levels,
                             behaviour_range=state.behaviour_range)
        if levels is not None and p.behaviour_rate > 0:
            behaviour_step(levels, friends, p, rng, state.behaviour_range)
    return friends, levels
