"""A digital twin of a school class: who risks being victimised next term, and what would help.

Survey waves (one per term) become networks of friendship, meanness and defending; a
calibrated model predicts next term's victimisation with reasons in Swedish; an agent-based
model (Mesa) of the term, fitted to the class's own waves, simulates interventions against
doing nothing. A synthetic school with known true dynamics checks all of it.
"""

from kraftsamling.twin._fit import (
    BEHAVIOUR_EFFECTS,
    FRIENDSHIP_EFFECTS,
    TermFit,
    Transition,
    class_transitions,
    fit_term,
    term_statistics,
)
from kraftsamling.twin._gof import (
    GOF_STATISTICS,
    GofStatistic,
    TwinEvaluation,
    auxiliary_statistics,
    evaluate_classes,
    evaluate_twin,
    mahalanobis_p,
    pooled_summary,
    triad_census,
)
from kraftsamling.twin._matrices import (
    read_behaviour,
    read_behaviour_matrix,
    read_edge_list,
    read_matrix_waves,
    read_siena_attribute,
    read_siena_matrix,
    waves_from_matrices,
    write_behaviour,
    write_survey_waves,
)
from kraftsamling.twin._model import (
    ClassroomModel,
    ClassState,
    Pupil,
    TermParameters,
    simulate_friendship,
)
from kraftsamling.twin._network import (
    FEATURE_LABELS,
    class_features,
    class_graphs,
    class_state,
    pupil_features,
)
from kraftsamling.twin._predict import (
    PREDICTORS,
    VictimisationModel,
    transition_table,
    transitions,
)
from kraftsamling.twin._service import (
    ClassTwin,
    calibration_error,
    class_twin,
    evaluate_prediction,
    predict_next,
    read_waves,
    score_alarms,
)
from kraftsamling.twin._simulate import (
    INTERVENTIONS,
    Intervention,
    SimulationResult,
    apply_intervention,
    compare_interventions,
    fit_parameters,
    parse_intervention,
    simulate_terms,
)
from kraftsamling.twin._survey import (
    NOMINATIONS,
    REQUIRED_COLUMNS,
    Wave,
    WaveError,
    read_wave,
    wave_from_frame,
)
from kraftsamling.twin._synth import SyntheticSchool, synthetic_school, write_waves

__all__ = [
    "BEHAVIOUR_EFFECTS",
    "FEATURE_LABELS",
    "FRIENDSHIP_EFFECTS",
    "GOF_STATISTICS",
    "INTERVENTIONS",
    "NOMINATIONS",
    "PREDICTORS",
    "REQUIRED_COLUMNS",
    "ClassState",
    "ClassTwin",
    "ClassroomModel",
    "GofStatistic",
    "Intervention",
    "Pupil",
    "SimulationResult",
    "SyntheticSchool",
    "TermFit",
    "TermParameters",
    "Transition",
    "TwinEvaluation",
    "VictimisationModel",
    "Wave",
    "WaveError",
    "apply_intervention",
    "auxiliary_statistics",
    "calibration_error",
    "class_features",
    "class_graphs",
    "class_state",
    "class_transitions",
    "class_twin",
    "compare_interventions",
    "evaluate_classes",
    "evaluate_prediction",
    "evaluate_twin",
    "fit_parameters",
    "fit_term",
    "mahalanobis_p",
    "parse_intervention",
    "pooled_summary",
    "predict_next",
    "pupil_features",
    "read_behaviour",
    "read_behaviour_matrix",
    "read_edge_list",
    "read_matrix_waves",
    "read_siena_attribute",
    "read_siena_matrix",
    "read_wave",
    "read_waves",
    "score_alarms",
    "simulate_friendship",
    "simulate_terms",
    "synthetic_school",
    "term_statistics",
    "transition_table",
    "transitions",
    "triad_census",
    "wave_from_frame",
    "waves_from_matrices",
    "write_behaviour",
    "write_survey_waves",
    "write_waves",
]
