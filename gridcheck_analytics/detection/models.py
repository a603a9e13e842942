"""Model management: save a trained detector with its metadata in a registry directory, load it back.

Layout::

    <registry>/<name>/<version>/model.joblib      the estimator (joblib)
    <registry>/<name>/<version>/model.txt         LightGBM's own text model, when the estimator has one
    <registry>/<name>/<version>/metadata.json     name, version, created_at, estimator, params,
                                                  feature_columns, training_data_sha256, n_samples,
                                                  n_positive, metrics, package versions
    <registry>/current.json                       the model that scores the monthly detection runs
                                                  (name, version, set_at), when one is chosen

Versions are integers counted up per name (``1``, ``2``, ...); :func:`load_model` takes the latest by
default.  A saved version is never overwritten.  :func:`set_current` points ``current.json`` at a saved
version (written whole, then renamed into place); :func:`current_model` loads it back, ``None`` when no
model has been chosen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

METADATA = "metadata.json"
MODEL = "model.joblib"
CURRENT = "current.json"


@dataclass
class LoadedModel:
    """A model from the registry: the estimator and its metadata (``feature_columns`` among them)."""

    estimator: object
    metadata: dict
    path: Path

    @property
    def feature_columns(self) -> list[str] | None:
        return self.metadata.get("feature_columns")

    def suspicion_score(self, X):
        """The estimator's score, higher = more suspect."""
        return self.estimator.suspicion_score(X)


def data_sha256(data) -> str:
    """SHA-256 of training data: a file's bytes, or a frame's values in a stable CSV form."""
    h = hashlib.sha256()
    if isinstance(data, str | Path):
        with open(data, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    if isinstance(data, pd.DataFrame):
        h.update(data.to_csv(index=False, float_format="%.10g").encode())
        return h.hexdigest()
    h.update(np.ascontiguousarray(np.asarray(data, dtype=float)).tobytes())
    return h.hexdigest()


def _versions(root: Path) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / METADATA).is_file())


def save_model(
    estimator,
    registry,
    name: str,
    *,
    feature_columns: list[str],
    training_data,
    metrics: dict | None = None,
    labels=None,
    extra: dict | None = None,
) -> Path:
    """Save ``estimator`` as the next version of ``name`` in ``registry``.

    Parameters
    ----------
    estimator : fitted estimator
        Anything joblib can pickle; LightGBM models also get their text model file.
    registry : path
        Registry directory (created when missing).
    name : str
        Model name, e.g. ``sgcc-lightgbm``.
    feature_columns : list of str
        Columns, in order, the estimator expects.
    training_data : path, DataFrame or array
        What it was trained on; only its SHA-256 is kept.
    metrics : dict, optional
        Evaluation figures (e.g. cross-validated ROC-AUC).
    labels : array-like, optional
        Training labels, for the sample counts.

    Returns
    -------
    pathlib.Path
        The version directory.
    """
    import joblib
    import sklearn

    root = Path(registry) / name
    version = (_versions(root) or [0])[-1] + 1
    out = root / str(version)
    out.mkdir(parents=True, exist_ok=False)
    joblib.dump(estimator, out / MODEL)
    booster = getattr(estimator, "booster_", None)
    if booster is not None and hasattr(booster, "booster_"):
        booster.booster_.save_model(str(out / "model.txt"))
    versions = {"scikit-learn": sklearn.__version__}
    try:
        import lightgbm

        versions["lightgbm"] = lightgbm.__version__
    except ImportError:  # pragma: no cover
        pass
    y = None if labels is None else np.asarray(labels)
    meta = {
        "name": name,
        "version": version,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "estimator": type(estimator).__name__,
        "params": {
            k: v if isinstance(v, int | float | str | bool | type(None)) else repr(v)
            for k, v in estimator.get_params().items()
        },
        "feature_columns": list(feature_columns),
        "training_data_sha256": data_sha256(training_data),
        "n_samples": None if y is None else int(len(y)),
        "n_positive": None if y is None else int((y == 1).sum()),
        "metrics": metrics or {},
        "packages": versions,
        **(extra or {}),
    }
    (out / METADATA).write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, default=float), encoding="utf-8"
    )
    return out


def load_model(registry, name: str, version: int | None = None) -> LoadedModel:
    """Load ``name`` (latest version unless ``version``) from ``registry``."""
    import joblib

    root = Path(registry) / name
    versions = _versions(root)
    if not versions:
        raise FileNotFoundError(f"no model {name!r} in {registry}")
    v = versions[-1] if version is None else int(version)
    if v not in versions:
        raise FileNotFoundError(f"model {name!r} has no version {v}; versions: {versions}")
    path = root / str(v)
    meta = json.loads((path / METADATA).read_text(encoding="utf-8"))
    return LoadedModel(estimator=joblib.load(path / MODEL), metadata=meta, path=path)


def load_model_path(path) -> LoadedModel:
    """Load a model from a path: a version directory (``<registry>/<name>/<version>``, the one holding
    ``metadata.json``) or a name directory (``<registry>/<name>``, its latest version)."""
    path = Path(path)
    if (path / METADATA).is_file():
        return load_model(path.parent.parent, path.parent.name, int(path.name))
    if _versions(path):
        return load_model(path.parent, path.name)
    raise FileNotFoundError(f"no saved model at {path} (neither <name>/<version> nor <name> of a registry)")


def set_current(registry, name: str, version: int) -> Path:
    """Make version ``version`` of ``name`` the model that scores the monthly detection runs.

    Writes ``<registry>/current.json`` (to a temporary file first, then renamed into place, so that a
    reader never sees half a pointer).  Refuses a version that is not saved.
    """
    root = Path(registry)
    if int(version) not in _versions(root / name):
        raise FileNotFoundError(f"model {name!r} has no version {version} in {registry}")
    pointer = {
        "name": name,
        "version": int(version),
        "set_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(pointer, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, root / CURRENT)
    return root / CURRENT


def current_model(registry) -> LoadedModel | None:
    """The model ``current.json`` points at (:func:`set_current`); ``None`` when no model is chosen.

    Raises ``FileNotFoundError`` when the pointer names a version that is no longer saved.
    """
    pointer = Path(registry) / CURRENT
    if not pointer.is_file():
        return None
    p = json.loads(pointer.read_text(encoding="utf-8"))
    return load_model(registry, p["name"], int(p["version"]))


def list_models(registry) -> pd.DataFrame:
    """Every saved model version: name, version, created_at, estimator, training_data_sha256, metrics."""
    rows = []
    for meta_path in sorted(Path(registry).glob(f"*/*/{METADATA}")):
        m = json.loads(meta_path.read_text(encoding="utf-8"))
        rows.append(
            {
                k: m.get(k)
                for k in ("name", "version", "created_at", "estimator", "training_data_sha256", "metrics")
            }
        )
    return pd.DataFrame(
        rows, columns=["name", "version", "created_at", "estimator", "training_data_sha256", "metrics"]
    )
