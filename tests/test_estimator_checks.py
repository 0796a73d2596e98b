"""Every estimator that takes ``X, y`` runs scikit-learn's estimator checks, with the
checks it is known to fail listed and the reason given (scikit-learn's own convention)."""

from __future__ import annotations

import warnings
from typing import Any

from sklearn.utils.estimator_checks import parametrize_with_checks

from kraftsamling.cases import RiskModel
from kraftsamling.twin import VictimisationModel

# Both read named columns of a DataFrame (the case file's variables, the pupils' network
# features), refuse a target with one class in Swedish and leave NaN to the reader's checks:
# every check that passes a bare array, one class or NaN fails by design.
NAMED_COLUMNS = "reads named DataFrame columns, not a bare array"
RISK_FAILS = (
    "check_classifier_data_not_an_array", "check_classifiers_classes",
    "check_classifiers_one_label", "check_classifiers_regression_target",
    "check_classifiers_train", "check_classifiers_train", "check_classifiers_train",
    "check_complex_data", "check_dict_unchanged", "check_dont_overwrite_parameters",
    "check_dtype_object", "check_estimator_sparse_array", "check_estimator_sparse_matrix",
    "check_estimator_sparse_tag", "check_estimators_dtypes",
    "check_estimators_empty_data_messages", "check_estimators_fit_returns_self",
    "check_estimators_nan_inf", "check_estimators_overwrite_params", "check_estimators_pickle",
    "check_estimators_pickle", "check_estimators_unfitted",
    "check_f_contiguous_array_estimator", "check_fit2d_1feature", "check_fit2d_1sample",
    "check_fit2d_predict1d", "check_fit_check_is_fitted", "check_fit_idempotent",
    "check_fit_score_takes_y", "check_methods_sample_order_invariance",
    "check_methods_subset_invariance", "check_n_features_in",
    "check_n_features_in_after_fitting", "check_pipeline_consistency",
    "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
    "check_requires_y_none", "check_supervised_y_2d",
)
# The twin's model fails the same checks, and two more: a 1-d X, and a target with NaN.
VICTIMISATION_FAILS = (*RISK_FAILS, "check_fit1d", "check_supervised_y_no_nan")
EXPECTED = {"RiskModel": RISK_FAILS, "VictimisationModel": VICTIMISATION_FAILS}


def _expected(estimator: Any) -> dict[str, str]:
    return dict.fromkeys(EXPECTED[type(estimator).__name__], NAMED_COLUMNS)


@parametrize_with_checks([RiskModel(n_estimators=5, cv=2, min_child_samples=2, n_jobs=1),
                          VictimisationModel()], expected_failed_checks=_expected)
def test_sklearn_compatible_estimator(estimator: Any, check: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
