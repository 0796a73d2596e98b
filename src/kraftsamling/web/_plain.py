"""Statistics said in a sentence: what a number means for staff and whether it is a problem.

The fairness audit's findings become "Åldersgrupp: 50–64 pekas ut som hög risk mer sällan än
18–24: 6 % mot 14 %." with the technical term (selection rate, TPR, FPR, calibration) and its
meaning kept for a glossary. The page and the model card share these words, from the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kraftsamling.web._format import number, percent
from kraftsamling.web._i18n import N_, translator
from kraftsamling.web._labels import label

if TYPE_CHECKING:  # the cases module's findings, said here for its pages and model card
    from kraftsamling.cases import FairnessFinding

__all__ = ["fairness_sentence", "percentage_points", "proxy_sentence"]


# The technical term (in English, as the literature writes it) and what it means.
TERMS = {
    "selection_ratio": ("selection rate ratio", N_(
        "The lowest group's share picked out as high risk divided by the highest group's "
        "share.")),
    "tpr": ("TPR, true positive rate", N_(
        "Of those who did end up with the outcome, the share the model picked out.")),
    "fpr": ("FPR, false positive rate", N_(
        "Of those who did not end up with the outcome, the share the model picked out "
        "anyway.")),
    "calibration": ("calibration gap", N_(
        "The mean predicted risk minus the share who did end up with the outcome, in "
        "percentage points.")),
}


def percentage_points(share: float, language: str, *, beside: float | None = None) -> str:
    """A share as percentage points: whole when whole (10), else one decimal (15,3); with
    ``beside`` (the limit it exceeds) as many decimals as it takes not to read as equal
    (5,04 beside a limit of 5, never "5,0")."""
    points = 100 * share
    for digits in (0, 1, 2, 3):
        text = number(points, language, digits)
        if abs(points - round(points, digits)) < 1e-9 and (
                beside is None or round(points, digits) != round(100 * beside, digits)):
            return text
        if digits >= 1 and (beside is None or
                            round(points, digits) != round(100 * beside, digits)):
            return text
    return number(points, language, 3)


def fairness_sentence(finding: FairnessFinding, language: str = "sv",
                      outcome: str = "") -> dict[str, str]:
    """One finding as ``{"text": sentence, "term": the technical term, "meaning": what the
    term means}``; pages show the term marked as English (``lang="en"``)."""
    _ = translator(language)
    group = label(finding.attribute, "feature", language)
    low, high = finding.low, finding.high
    a = percent(finding.low_value, language)
    b = percent(finding.high_value, language)
    if finding.metric == "selection_ratio":
        text = _("%(group)s: %(low)s are picked out as high risk less often than %(high)s: "
                 "%(a)s against %(b)s. The lowest share is %(ratio)s of the highest; the limit "
                 "is %(limit)s. Check that the lower group is not overlooked.",
                 group=group, low=low, high=high, a=a, b=b,
                 ratio=number(finding.value, language), limit=number(finding.limit, language))
    elif finding.metric == "tpr":
        text = _("%(group)s: of those who did end up with %(outcome)s, the model finds %(a)s in "
                 "%(low)s but %(b)s in %(high)s (%(gap)s percentage points apart; the limit is "
                 "%(limit)s). People in %(low)s who need support are missed more often.",
                 group=group, outcome=outcome or _("the outcome"), low=low, high=high, a=a, b=b,
                 gap=percentage_points(finding.value, language, beside=finding.limit),
                 limit=percentage_points(finding.limit, language))
    elif finding.metric == "fpr":
        text = _("%(group)s: of those who did not end up with %(outcome)s, the model still "
                 "picks out %(b)s in %(high)s but %(a)s in %(low)s (%(gap)s percentage points "
                 "apart; the limit is %(limit)s). People in %(high)s are picked out without "
                 "cause more often.",
                 group=group, outcome=outcome or _("the outcome"), low=low, high=high, a=a, b=b,
                 gap=percentage_points(finding.value, language, beside=finding.limit),
                 limit=percentage_points(finding.limit, language))
    else:
        message = (N_("%(group)s: for %(low)s the model overestimates the risk by %(gap)s "
                      "percentage points (the limit is %(limit)s). Read its risks for that "
                      "group as too high.") if finding.low_value > 0 else
                   N_("%(group)s: for %(low)s the model underestimates the risk by %(gap)s "
                      "percentage points (the limit is %(limit)s). Read its risks for that "
                      "group as too low."))
        text = _(message, group=group, low=low,
                 gap=percentage_points(finding.value, language, beside=finding.limit),
                 limit=percentage_points(finding.limit, language))
    term, meaning = TERMS.get(finding.metric, TERMS["calibration"])
    return {"text": text, "term": term, "meaning": _(meaning)}


def proxy_sentence(feature: str, protected: str, strength: float,
                   language: str = "sv") -> dict[str, str]:
    """A likely proxy: "Hushållstyp hänger ihop med kön …", Cramér's V in the tooltip."""
    _ = translator(language)
    text = _("%(feature)s goes together with %(protected)s (strength %(v)s on a scale from 0 to "
             "1): through it the model can partly read %(protected)s, which it must not use.",
             feature=label(feature, "feature", language),
             protected=label(protected, "feature", language).lower(),
             v=number(strength, language))
    return {"text": text, "term": "Cramér's V",
            "meaning": _("How strongly two columns go together, 0 (not at all) to 1 (one "
                         "gives the other).")}
