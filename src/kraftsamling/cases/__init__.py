"""Case analytics for social services and economic assistance.

Risk of long-term need (calibrated), what works for whom (doubly robust effects with
overlap checks), allocation of scarce places (exact MILP, optional fairness floor), fairness
audits by group, explanations in plain Swedish, a register of forbidden features, the model
card, and synthetic data with known true effects to check all of it against.
"""

from kraftsamling.cases._allocate import (
    Allocation,
    allocate,
    allocate_by_risk,
    allocate_random,
    plan_value,
)
from kraftsamling.cases._card import live_card, model_card_context, render_model_card
from kraftsamling.cases._effect import (
    EffectEstimate,
    EffectEstimator,
    OverlapError,
    OverlapReport,
    check_overlap,
    design_matrix,
)
from kraftsamling.cases._fairness import (
    FairnessAudit,
    FairnessFinding,
    FeatureRegister,
    ForbiddenFeatureError,
    ProxyFlag,
    cramers_v,
    fairness_audit,
    fairness_findings,
)
from kraftsamling.cases._gaussian_process import GaussianProcessEffect
from kraftsamling.cases._learners import near_best_weights, r_score
from kraftsamling.cases._risk import (
    FEATURE_LABELS,
    Factor,
    RiskModel,
    kaplan_meier_by_group,
    time_to_exit_model,
)
from kraftsamling.cases._service import (
    KINDS,
    CaseModels,
    allocation_plan,
    calibration_error,
    case_model_path,
    effect_matrix,
    predict_cases,
    read_case_table,
    train_case_models,
)
from kraftsamling.cases._store import (
    CaseAssessment,
    CaseBatch,
    CaseDecision,
    CasePerson,
    assess_cases,
    decision_summary,
    group_shares,
    record_decision,
    save_assessment,
)
from kraftsamling.cases._synth import (
    EA_INTERVENTIONS,
    SS_INTERVENTIONS,
    SyntheticCases,
    expected_true_effects,
    household_months,
    synthetic_economic_assistance,
    synthetic_social_services,
)

__all__ = [
    "EA_INTERVENTIONS",
    "FEATURE_LABELS",
    "KINDS",
    "SS_INTERVENTIONS",
    "Allocation",
    "CaseAssessment",
    "CaseBatch",
    "CaseDecision",
    "CaseModels",
    "CasePerson",
    "EffectEstimate",
    "EffectEstimator",
    "Factor",
    "FairnessAudit",
    "FairnessFinding",
    "FeatureRegister",
    "ForbiddenFeatureError",
    "GaussianProcessEffect",
    "OverlapError",
    "OverlapReport",
    "ProxyFlag",
    "RiskModel",
    "SyntheticCases",
    "allocate",
    "allocate_by_risk",
    "allocate_random",
    "allocation_plan",
    "assess_cases",
    "calibration_error",
    "case_model_path",
    "check_overlap",
    "cramers_v",
    "decision_summary",
    "design_matrix",
    "effect_matrix",
    "expected_true_effects",
    "fairness_audit",
    "fairness_findings",
    "group_shares",
    "household_months",
    "kaplan_meier_by_group",
    "live_card",
    "model_card_context",
    "near_best_weights",
    "plan_value",
    "predict_cases",
    "r_score",
    "read_case_table",
    "record_decision",
    "render_model_card",
    "save_assessment",
    "synthetic_economic_assistance",
    "synthetic_social_services",
    "time_to_exit_model",
    "train_case_models",
]
