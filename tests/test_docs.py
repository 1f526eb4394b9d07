"""The API reference lists every public estimator and function."""

import inspect
import re
from pathlib import Path

import skoneclass
import skoneclass.parts
from skoneclass.base import BaseDetector

API = (Path(__file__).resolve().parents[1] / "doc" / "api.rst").read_text()
LISTED = set(re.findall(r"^   ([\w.]+)$", API, flags=re.MULTILINE))


def test_every_public_name_is_in_the_api_reference():
    public = {
        name
        for name in skoneclass.__all__
        if not name.endswith("_scorer") and not name.startswith("labeled_")
    }
    missing = public - LISTED
    assert not missing, f"missing from doc/api.rst: {sorted(missing)}"
    for name in ("labeled_roc_auc", "roc_auc_scorer"):
        assert f"metrics.{name}" in LISTED


def test_every_part_is_in_the_api_reference():
    missing = {f"parts.{name}" for name in skoneclass.parts.__all__} - LISTED
    assert not missing, f"missing from doc/api.rst: {sorted(missing)}"


def test_every_estimator_documents_its_objective_and_an_example():
    for name in skoneclass.__all__:
        obj = getattr(skoneclass, name)
        if (
            inspect.isclass(obj)
            and issubclass(obj, BaseDetector)
            and obj is not BaseDetector
        ):
            doc = obj.__doc__
            assert "Parameters\n    ----------" in doc, name
            assert "Examples\n    --------" in doc, name
            assert "score_samples" in doc, name
