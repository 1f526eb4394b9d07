"""The API reference lists every public estimator and function."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.slow
def test_the_documentation_builds_without_warnings(tmp_path):
    """Sphinx with warnings as errors, the examples' gallery included."""
    pytest.importorskip("sphinx_gallery")
    pytest.importorskip("numpydoc")
    pytest.importorskip("pydata_sphinx_theme")
    doc = Path(__file__).resolve().parents[1] / "doc"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(doc), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-4000:]
    html = tmp_path / "html"
    assert (html / "generated" / "skoneclass.VAE.html").is_file()
    # The gallery ran the examples and kept their figures.
    images = html / "_images"
    for example in ("big_moon_small_moon", "reconstruction_heatmaps"):
        assert (images / f"sphx_glr_{example}_001.png").is_file(), example


def _public_estimators():
    from sklearn.base import BaseEstimator

    return {
        name: obj
        for name in skoneclass.__all__
        if inspect.isclass(obj := getattr(skoneclass, name))
        and issubclass(obj, BaseEstimator)
        and obj is not BaseDetector
    }


@pytest.mark.parametrize("name", sorted(_public_estimators()))
def test_documented_defaults_are_the_signatures(name):
    """Every parameter is documented with the default its signature has."""
    from skoneclass._docstrings import documented_parameters

    cls = _public_estimators()[name]
    documented = documented_parameters(cls.__doc__)
    for param in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        assert param.name in documented, f"{name}.{param.name} is not documented"
        text = documented[param.name]
        assert text is not None, f"{name}.{param.name} documents no default"
        try:
            value = eval(text, {})  # the docs write Python literals
        except (NameError, SyntaxError):
            value = text
        assert value == param.default, (
            f"{name}.{param.name}: documented default={text}, "
            f"signature {param.default!r}"
        )


def test_the_shared_parameters_fill_every_placeholder():
    for name, cls in _public_estimators().items():
        assert "{shared}" not in cls.__doc__, name
