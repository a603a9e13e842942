"""Learned detectors (scikit-learn estimator contract), metrics, model registry and evaluation harness."""
