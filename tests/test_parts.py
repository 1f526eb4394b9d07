"""The parts validate their parameters like estimators."""

import inspect

import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skoneclass import DRA, AutoEncoder, DeepSVDD, OneClassModel
from skoneclass import parts as P
from skoneclass.deep.networks import ACTIVATIONS
from skoneclass.parts.base import Part
from skoneclass.parts.networks import ACTIVATION_NAMES

PARTS = [getattr(P, name) for name in P.__all__ if inspect.isclass(getattr(P, name))]
PARTS = [cls for cls in PARTS if issubclass(cls, Part)]


def _default(cls):
    if cls is P.Embedding:
        return cls(StandardScaler())
    if cls is P.TorchModule:
        return cls(torch.nn.Linear(4, 2))
    return cls()


@pytest.mark.parametrize("cls", PARTS, ids=lambda c: c.__name__)
def test_every_parameter_of_every_part_has_a_constraint(cls):
    names = set(cls._get_param_names())
    assert set(cls._parameter_constraints) == names
    _default(cls)._validate_params()  # the defaults satisfy them


def test_the_mlp_activations_are_the_built_ones():
    assert set(ACTIVATION_NAMES) == set(ACTIVATIONS)


X = np.random.RandomState(0).randn(40, 4)


@pytest.mark.parametrize(
    ("est", "match"),
    [
        (
            OneClassModel(loss=P.Hinge(nu=-0.5), max_epochs=1),
            r"'nu' parameter of Hinge must be a float in the range \(0.0, 1.0\]",
        ),
        (
            OneClassModel(P.MLP(hidden_dims=(0,)), max_epochs=1),
            "'hidden_dims' parameter of MLP must be .* a tuple of positive ints",
        ),
        (
            OneClassModel(regularizer=[P.WeightDecay(lam=-1)], max_epochs=1),
            "'lam' parameter of WeightDecay",
        ),
        (
            OneClassModel(P.ConvNet(channels=()), max_epochs=1),
            "'channels' parameter of ConvNet must be a non-empty tuple",
        ),
        (
            OneClassModel(model=P.Hypersphere(center="median"), max_epochs=1),
            "'center' parameter of Hypersphere",
        ),
        (AutoEncoder(hidden_dims=(0,)), "'hidden_dims' parameter of AutoEncoder"),
        (DeepSVDD(hidden_dims=(8, -2)), "'hidden_dims' parameter of DeepSVDD"),
        (DRA(hidden_dims=()), "'hidden_dims' parameter of DRA must be a non-empty"),
        (DeepSVDD(device="tpu9"), "'device' parameter of DeepSVDD must be 'auto' or a"),
    ],
)
def test_bad_part_and_network_parameters_are_named_before_training(est, match):
    with pytest.raises(InvalidParameterError, match=match):
        est.fit(X)
    assert not hasattr(est, "net_")


def test_network_sizes_and_devices_that_are_valid_pass():
    DeepSVDD(hidden_dims=[8], device="cpu", max_epochs=1).fit(X)
    AutoEncoder(hidden_dims=(), max_epochs=1).fit(X)  # a linear autoencoder
    OneClassModel(P.MLP(hidden_dims=(4,)), device="cpu", max_epochs=1).fit(X)


def test_the_parts_are_specifications_without_torch():
    """No module of skoneclass.parts imports torch or skoneclass.deep; their
    torch realizations are the builders of skoneclass.deep.builders."""
    import ast
    from pathlib import Path

    for path in Path(P.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            else:
                continue
            for name in names:
                assert not name.startswith(("torch", "skorch", "..deep")), (
                    f"{path.name} imports {name}"
                )


def test_every_sgd_part_has_a_builder():
    from skoneclass.deep.builders import (
        build_criterion,
        build_decoder,
        build_network,
        has_builder,
    )

    for loss in (P.MeanScore(), P.Hinge(), P.DeepSADLoss(), P.HSCLoss(),
                 P.NegativeLogLikelihood(), P.SemanticDeviationLoss(),
                 P.DeviationLoss()):  # fmt: skip
        assert has_builder(build_criterion, loss), loss
    assert not has_builder(build_criterion, P.SemiSupervisedHinge())  # exact only
    for feature_map in (P.MLP(), P.LeNet(), P.ConvNet(), P.FCN()):
        assert has_builder(build_network, feature_map), feature_map
    assert not has_builder(build_decoder, P.FCN())
