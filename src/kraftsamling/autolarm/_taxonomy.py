"""What autolarm flags: three levels and ten categories, with Swedish labels for people."""

from __future__ import annotations

import enum

__all__ = ["CATEGORY_LABELS", "LEVEL_LABELS", "Category", "Level"]


class Level(enum.StrEnum):
    """``urgent``: risk to life or safety, or ongoing abuse — an adult must act today (also
    when a pupil reports that a friend is at such risk). ``concern``: bullying, exclusion or
    poor wellbeing without acute danger. ``none``: nothing to act on."""

    urgent = "urgent"
    concern = "concern"
    none = "none"

    @property
    def rank(self) -> int:
        return {"urgent": 2, "concern": 1, "none": 0}[self.value]


class Category(enum.StrEnum):
    suicide = "suicide"
    self_harm = "self_harm"
    abuse_home = "abuse_home"
    sexual_abuse = "sexual_abuse"
    violence_threat = "violence_threat"
    honour_related = "honour_related"
    eating_disorder = "eating_disorder"
    substance = "substance"
    bullying = "bullying"
    wellbeing = "wellbeing"


LEVEL_LABELS = {Level.urgent: "Akut", Level.concern: "Oro", Level.none: "Ingen åtgärd"}
CATEGORY_LABELS = {
    Category.suicide: "Självmordstankar",
    Category.self_harm: "Självskada",
    Category.abuse_home: "Våld eller försummelse i hemmet",
    Category.sexual_abuse: "Sexuella övergrepp",
    Category.violence_threat: "Hot och våld",
    Category.honour_related: "Hedersrelaterat",
    Category.eating_disorder: "Ätstörning",
    Category.substance: "Alkohol och droger",
    Category.bullying: "Mobbning",
    Category.wellbeing: "Mående",
}
