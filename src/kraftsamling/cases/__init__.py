"""Case analytics for social services and economic assistance.

Risk of long-term need (calibrated), what works for whom (doubly robust effects with
overlap checks), allocation of scarce places (exact MILP, optional fairness floor), fairness
audits by group, explanations in plain Swedish, a register of forbidden features, the model
card, and synthetic data with known true effects to check all of it against.
"""

from typing import TYPE_CHECKING

from kraftsamling._lazy import lazy_exports

if TYPE_CHECKING:
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
    from kraftsamling.cases._effect_table import TableEffect, effect_from_table
    from kraftsamling.cases._facade import CaseService
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
    from kraftsamling.cases._schemas import CASE_ID, CASE_SCHEMAS, case_id_column
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
    "CASE_ID",
    "CASE_SCHEMAS",
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
    "CaseService",
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
    "TableEffect",
    "allocate",
    "allocate_by_risk",
    "allocate_random",
    "allocation_plan",
    "assess_cases",
    "calibration_error",
    "case_id_column",
    "case_model_path",
    "check_overlap",
    "cramers_v",
    "decision_summary",
    "design_matrix",
    "effect_from_table",
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


# Each name's module loads when the name is first used (PEP 562): registering the plugin or
# running an unrelated command imports none of the module's model code.
__getattr__ = lazy_exports(__name__, {
    "r_score": "kraftsamling.cases._learners",
    "near_best_weights": "kraftsamling.cases._learners",
    "fairness_findings": "kraftsamling.cases._fairness",
    "FairnessFinding": "kraftsamling.cases._fairness",
    "CaseService": "kraftsamling.cases._facade",
    "Allocation": "kraftsamling.cases._allocate",
    "CASE_ID": "kraftsamling.cases._schemas",
    "CASE_SCHEMAS": "kraftsamling.cases._schemas",
    "CaseAssessment": "kraftsamling.cases._store",
    "CaseBatch": "kraftsamling.cases._store",
    "CaseDecision": "kraftsamling.cases._store",
    "CaseModels": "kraftsamling.cases._service",
    "CasePerson": "kraftsamling.cases._store",
    "EA_INTERVENTIONS": "kraftsamling.cases._synth",
    "EffectEstimate": "kraftsamling.cases._effect",
    "EffectEstimator": "kraftsamling.cases._effect",
    "FEATURE_LABELS": "kraftsamling.cases._risk",
    "Factor": "kraftsamling.cases._risk",
    "FairnessAudit": "kraftsamling.cases._fairness",
    "FeatureRegister": "kraftsamling.cases._fairness",
    "ForbiddenFeatureError": "kraftsamling.cases._fairness",
    "GaussianProcessEffect": "kraftsamling.cases._gaussian_process",
    "KINDS": "kraftsamling.cases._service",
    "OverlapError": "kraftsamling.cases._effect",
    "OverlapReport": "kraftsamling.cases._effect",
    "ProxyFlag": "kraftsamling.cases._fairness",
    "RiskModel": "kraftsamling.cases._risk",
    "SS_INTERVENTIONS": "kraftsamling.cases._synth",
    "SyntheticCases": "kraftsamling.cases._synth",
    "TableEffect": "kraftsamling.cases._effect_table",
    "allocate": "kraftsamling.cases._allocate",
    "allocate_by_risk": "kraftsamling.cases._allocate",
    "allocate_random": "kraftsamling.cases._allocate",
    "allocation_plan": "kraftsamling.cases._service",
    "assess_cases": "kraftsamling.cases._store",
    "calibration_error": "kraftsamling.cases._service",
    "case_id_column": "kraftsamling.cases._schemas",
    "case_model_path": "kraftsamling.cases._service",
    "check_overlap": "kraftsamling.cases._effect",
    "cramers_v": "kraftsamling.cases._fairness",
    "decision_summary": "kraftsamling.cases._store",
    "design_matrix": "kraftsamling.cases._effect",
    "effect_from_table": "kraftsamling.cases._effect_table",
    "effect_matrix": "kraftsamling.cases._service",
    "expected_true_effects": "kraftsamling.cases._synth",
    "fairness_audit": "kraftsamling.cases._fairness",
    "group_shares": "kraftsamling.cases._store",
    "household_months": "kraftsamling.cases._synth",
    "kaplan_meier_by_group": "kraftsamling.cases._risk",
    "live_card": "kraftsamling.cases._card",
    "model_card_context": "kraftsamling.cases._card",
    "plan_value": "kraftsamling.cases._allocate",
    "predict_cases": "kraftsamling.cases._service",
    "read_case_table": "kraftsamling.cases._service",
    "record_decision": "kraftsamling.cases._store",
    "render_model_card": "kraftsamling.cases._card",
    "save_assessment": "kraftsamling.cases._store",
    "synthetic_economic_assistance": "kraftsamling.cases._synth",
    "synthetic_social_services": "kraftsamling.cases._synth",
    "time_to_exit_model": "kraftsamling.cases._risk",
    "train_case_models": "kraftsamling.cases._service",
})
