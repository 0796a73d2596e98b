"""A digital twin of a school class: who risks being victimised next term, and what would help.

Survey waves (one per term) become networks of friendship, meanness and defending; a
calibrated model predicts next term's victimisation with reasons in Swedish; an agent-based
model (Mesa) of the term, fitted to the class's own waves, simulates interventions against
doing nothing. A synthetic school with known true dynamics checks all of it.
"""

from kraftsamling.twin._model import ClassroomModel, ClassState, Pupil, TermParameters
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
    "FEATURE_LABELS",
    "INTERVENTIONS",
    "NOMINATIONS",
    "PREDICTORS",
    "REQUIRED_COLUMNS",
    "ClassState",
    "ClassTwin",
    "ClassroomModel",
    "Intervention",
    "Pupil",
    "SimulationResult",
    "SyntheticSchool",
    "TermParameters",
    "VictimisationModel",
    "Wave",
    "WaveError",
    "apply_intervention",
    "calibration_error",
    "class_features",
    "class_graphs",
    "class_state",
    "class_twin",
    "compare_interventions",
    "evaluate_prediction",
    "fit_parameters",
    "parse_intervention",
    "predict_next",
    "pupil_features",
    "read_wave",
    "read_waves",
    "score_alarms",
    "simulate_terms",
    "synthetic_school",
    "transition_table",
    "transitions",
    "wave_from_frame",
    "write_waves",
]
