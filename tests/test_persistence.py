"""skoneclass.save / skoneclass.load: no pickle, identical scores."""

import contextlib
import io
import json
import pickle
import zipfile

import numpy as np
import pytest
import torch
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skoneclass
from skoneclass import DeepSAD, DeepSVDD, Gaussian, KernelPCA
from skoneclass.parts import Kernel

from .catalogue import outputs, public_estimators, quick, task

PUBLIC = public_estimators()


@contextlib.contextmanager
def no_unpickling():
    """Loading must not unpickle: pickle's loaders and torch.load without
    weights_only raise."""

    def refuse(*args, **kwargs):
        raise AssertionError("skoneclass.load unpickled")

    def weights_only_load(*args, **kwargs):
        assert kwargs.get("weights_only") is True
        return real_torch_load(*args, **kwargs)

    class RefusingUnpickler(pickle.Unpickler):
        def __init__(self, *args, **kwargs):
            refuse()

    real_torch_load = torch.load
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pickle, "loads", refuse)
        patch.setattr(pickle, "load", refuse)
        patch.setattr(pickle, "Unpickler", RefusingUnpickler)
        patch.setattr(torch, "load", weights_only_load)
        yield


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_load_gives_identical_outputs(name, tmp_path):
    cls = PUBLIC[name]
    X, y, X_test = task(cls)
    est = quick(cls).fit(X, y)
    path = skoneclass.save(est, tmp_path / "model.skoneclass")
    with no_unpickling():
        restored = skoneclass.load(path)
    assert type(restored) is cls
    assert repr(restored.get_params()) == repr(est.get_params())
    np.testing.assert_array_equal(outputs(restored, X_test), outputs(est, X_test))
    if hasattr(est, "offset_"):
        assert restored.offset_ == est.offset_
        np.testing.assert_array_equal(restored.predict(X_test), est.predict(X_test))


def test_unfitted_estimators_and_pipelines_round_trip(tmp_path):
    X, y, X_test = task(DeepSVDD)
    unfitted = skoneclass.load(skoneclass.save(DeepSAD(eta=2.0), tmp_path / "a"))
    assert unfitted.get_params() == DeepSAD(eta=2.0).get_params()
    pipe = make_pipeline(StandardScaler(), quick(DeepSVDD)).fit(X)
    restored = skoneclass.load(skoneclass.save(pipe, tmp_path / "b"))
    np.testing.assert_array_equal(
        restored.score_samples(X_test), pipe.score_samples(X_test)
    )


def test_a_loaded_deep_model_refits_and_keeps_its_history(tmp_path):
    X, _, X_test = task(DeepSVDD)
    est = quick(DeepSVDD).fit(X)
    restored = skoneclass.load(skoneclass.save(est, tmp_path / "m"))
    assert restored.history_[:, "train_loss"] == est.history_[:, "train_loss"]
    refit = restored.fit(X)
    np.testing.assert_array_equal(
        refit.score_samples(X_test), est.score_samples(X_test)
    )


def _save_as_if_on_cuda(est, path):
    """What a CUDA fit writes: tensors tagged "cuda:0", the net on "cuda"."""
    est.net_.device = "cuda"

    def cuda_tag(storage):
        return "cuda:0" if storage.device.type == "cpu" else None

    # torch asks its registered taggers where each storage lives; this one
    # answers first and claims CUDA for every CPU storage.
    torch.serialization.register_package(-1, cuda_tag, lambda obj, loc: None)
    try:
        skoneclass.save(est, path)
    finally:
        torch.serialization._package_registry.pop(0)
        est.net_.device = "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_model_saved_with_cuda_tensors_loads_on_cpu(tmp_path):
    X, y, X_test = task(DeepSAD)
    est = quick(DeepSAD).fit(X, y)
    path = tmp_path / "cuda.skoneclass"
    _save_as_if_on_cuda(est, path)
    with zipfile.ZipFile(path) as archive:
        tensors = archive.read("tensors.pt")
    # The file really holds CUDA tensors: torch alone cannot load it here.
    with pytest.raises(RuntimeError, match="CUDA"):
        torch.load(io.BytesIO(tensors), weights_only=True)
    with pytest.warns(UserWarning, match="'cuda'.*loaded onto the CPU"):
        restored = skoneclass.load(path)
    assert restored.net_.device == "cpu"
    np.testing.assert_array_equal(
        restored.score_samples(X_test), est.score_samples(X_test)
    )
    explicit = skoneclass.load(path, device="cpu")
    assert next(explicit.net_.module_.parameters()).device.type == "cpu"


def _rewrite_header(path, **changes):
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    header = json.loads(members["model.json"])
    header.update(changes)
    members["model.json"] = json.dumps(header)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_files_it_cannot_read_are_named(tmp_path):
    X = np.random.RandomState(0).randn(30, 3)
    path = skoneclass.save(Gaussian().fit(X), tmp_path / "g")
    _rewrite_header(path, format_version=2)
    with pytest.raises(ValueError, match="format version 2.*upgrade skoneclass"):
        skoneclass.load(path)
    (tmp_path / "p").write_bytes(pickle.dumps(Gaussian().fit(X)))
    with pytest.raises(ValueError, match="not a skoneclass model file"):
        skoneclass.load(tmp_path / "p")
    _rewrite_header(path, format_version=1, versions={"sklearn": "0.1"})
    with pytest.warns(UserWarning, match="saved with sklearn 0.1"):
        skoneclass.load(path)


def _user_kernel(a, b, **kernel_params):
    return float(np.exp(-np.sum((a - b) ** 2)))


def test_classes_and_functions_outside_the_trusted_packages_are_refused(tmp_path):
    X = np.random.RandomState(0).randn(30, 3)
    est = KernelPCA(kernel=_user_kernel).fit(X)
    path = skoneclass.save(est, tmp_path / "k")
    with pytest.raises(TypeError, match="_user_kernel.*trusted"):
        skoneclass.load(path)
    restored = skoneclass.load(path, trusted=[f"{__name__}:_user_kernel"])
    np.testing.assert_array_equal(restored.score_samples(X), est.score_samples(X))
    # A function from a trusted package is still not callable from a file.
    _rewrite_header(path, root={"$global": "numpy:load", "$id": 0})
    with pytest.raises(TypeError, match="function numpy:load"):
        skoneclass.load(path)


def test_what_cannot_be_saved_is_named(tmp_path):
    est = KernelPCA(kernel=lambda a, b: float(a @ b))
    with pytest.raises(TypeError, match=r"KernelPCA.kernel: .*lambda"):
        skoneclass.save(est, tmp_path / "x")
    part = Kernel(kernel=np.random.RandomState(0).rand)  # a bound method
    with pytest.raises(TypeError, match="bound method"):
        skoneclass.save(part, tmp_path / "y")
