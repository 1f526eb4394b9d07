"""The VAE family: VAE, RSC-VAE, the decentralization AE and OIAD (issue 5)."""

import copy

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks.digits import METHODS, digit_task, evaluate
from skoneclass import OIAD, RSCVAE, VAE, DecentralizationAE, OneClassModel
from skoneclass.datasets import load_odds, semisupervised_split
from skoneclass.deep.builders import build_decoder, build_network
from skoneclass.deep.consistency import ssim
from skoneclass.deep.modules import ReconstructionNet
from skoneclass.deep.variational import gaussian_divergence, gaussian_kl
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import (
    MLP,
    ConvNet,
    DistributionShift,
    Hypersphere,
    LatentDensity,
    LeNet,
    MeanScore,
    NegativeLogLikelihood,
    Recoding,
    SemanticDeviationLoss,
    TotalCorrelation,
)
from skoneclass.parts.networks import LENET_SHAPES

from ..conftest import CountAnomalies, make_one_class_task

LENET_CHANNELS = {shape: channels for shape, (channels, _) in LENET_SHAPES.items()}

FAST = {"max_epochs": 30, "lr": 1e-3, "batch_size": 64, "random_state": 0}


# -- the math ------------------------------------------------------------------


def test_kl_matches_torch_distributions():
    rng = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(5, 3, generator=rng), torch.randn(5, 3, generator=rng)
    log_beta = torch.randn(3, generator=rng)
    q = torch.distributions.Normal(mu, torch.exp(0.5 * logvar))
    for prior, log_precision in [
        (torch.distributions.Normal(0.0, 1.0), None),
        (torch.distributions.Normal(0.0, torch.exp(-0.5 * log_beta)), log_beta),
    ]:
        expected = torch.distributions.kl_divergence(q, prior).sum(dim=1)
        got = gaussian_kl(mu, logvar, log_precision)
        torch.testing.assert_close(got, expected)


def test_js_divergence_is_a_symmetric_bounded_discrepancy():
    rng = torch.Generator().manual_seed(1)
    a = torch.randn(4, 3, generator=rng), torch.randn(4, 3, generator=rng)
    b = torch.randn(4, 3, generator=rng), torch.randn(4, 3, generator=rng)
    for kind in ("js", "symmetric_kl"):
        ab, ba = gaussian_divergence(*a, *b, kind), gaussian_divergence(*b, *a, kind)
        torch.testing.assert_close(ab, ba)
        assert (ab > 0).all()
        torch.testing.assert_close(
            gaussian_divergence(*a, *a, kind), torch.zeros(4), atol=1e-6, rtol=0
        )
    # The moment-matched JS lies between 0 and the symmetric KL / 4 bound
    # used for it locally (JS ~ J / 8 for close Gaussians).
    near = (a[0] + 0.01, a[1])
    js = gaussian_divergence(*a, *near, "js")
    jeffreys = gaussian_divergence(*a, *near, "symmetric_kl")
    torch.testing.assert_close(js, jeffreys / 8, rtol=1e-2, atol=1e-9)


# -- conventions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "est",
    [
        VAE(**FAST),
        VAE(anomaly_score="reconstruction", **FAST),
        VAE(anomaly_score="iwae", **FAST),
        RSCVAE(**FAST),
        DecentralizationAE(**FAST),
        DecentralizationAE(center="moving", **FAST),
        OIAD(discriminator_dims=(64, 64), **FAST),
    ],
    ids=lambda e: repr(e).replace(" ", ""),
)
def test_auroc_and_batch_independent_scores(est):
    X_train, X_test, y_test = make_one_class_task(n_features=5)
    est.fit(X_train)
    scores = est.score_samples(X_test)
    assert roc_auc_score(y_test, scores) > 0.9
    # A sample's score does not depend on the batch it is scored in (the
    # Monte Carlo noise is shared, not drawn per batch).
    np.testing.assert_allclose(est.score_samples(X_test[::-1])[::-1], scores)
    np.testing.assert_allclose(est.score_samples(X_test[:3]), scores[:3])
    again = type(est)(**est.get_params()).fit(X_train)
    np.testing.assert_array_equal(again.score_samples(X_test), scores)


def test_presets_are_their_parts():
    """OneClassModel on a preset's parts trains the same network."""
    X_train, X_test, _ = make_one_class_task(n_features=5)
    y = np.zeros(len(X_train), dtype=int)
    y[:3] = -1
    for preset, labels in [(VAE(**FAST), None), (RSCVAE(**FAST), y)]:
        composed = OneClassModel.from_estimator(preset)
        assert composed.get_parts()["inference"] == "bayesian"
        a = preset.fit(X_train, labels).score_samples(X_test)
        b = composed.fit(X_train, labels).score_samples(X_test)
        np.testing.assert_allclose(a, b)


def test_embed_is_the_posterior_mean_code():
    X_train, X_test, _ = make_one_class_task(n_features=5)
    vae = VAE(rep_dim=3, **FAST).fit(X_train)
    Z = vae.embed(X_test)
    assert Z.shape == (len(X_test), 3)
    module = copy.deepcopy(vae.net_.module_).cpu().double().eval()
    with torch.no_grad():
        mu = module.encode(torch.as_tensor(X_test))[0].numpy()
    np.testing.assert_allclose(Z, mu)


def test_conv_networks_take_images_or_flattened_rows():
    X_train, _, X_test, anomaly = digit_task(0, seed=0)
    images = X_train.reshape(-1, 8, 8)
    for est in [
        VAE(likelihood="bernoulli", network=ConvNet(rep_dim=4), **FAST),
        DecentralizationAE(network=ConvNet(rep_dim=4), **FAST),
    ]:
        est.fit(images)
        assert est.image_shape_ == (1, 8, 8)
        scores = est.score_samples(X_test.reshape(-1, 1, 8, 8))
        assert roc_auc_score(anomaly, -scores) > 0.9
        # Flattened rows of the same images are the same input.
        np.testing.assert_allclose(est.score_samples(X_test), scores)
    flat = DecentralizationAE(network=ConvNet((1, 8, 8), rep_dim=4), **FAST)
    codes = flat.fit(X_train)
    assert flat.image_shape_ is None
    assert np.abs(codes.embed(X_test)).max() < 1  # tanh code


def test_image_networks_say_which_shapes_they_take():
    X_train = digit_task(0, seed=0)[0]
    with pytest.raises(ValueError, match=r"takes its image shape from the data"):
        VAE(network=ConvNet(rep_dim=4), **FAST).fit(X_train)
    with pytest.raises(ValueError, match=r"takes images of shape \(1, 4, 16\)"):
        VAE(network=ConvNet((1, 4, 16), rep_dim=4), **FAST).fit(
            X_train.reshape(-1, 8, 8)
        )
    vae = VAE(network=ConvNet(rep_dim=4), **{**FAST, "max_epochs": 1})
    vae.fit(X_train.reshape(-1, 8, 8))
    with pytest.raises(ValueError, match=r"fitted on images of shape \(1, 8, 8\)"):
        vae.score_samples(X_train.reshape(-1, 4, 16))
    with pytest.raises(ValueError, match=r"got a 5-D X"):
        vae.score_samples(X_train.reshape(-1, 1, 1, 8, 8))


# -- errors name the problem ----------------------------------------------------


@pytest.mark.parametrize(
    "make, X, y, match",
    [
        (lambda: VAE(likelihood="bernoulli"), "standardized", None, r"\[0, 1\]"),
        (lambda: RSCVAE(mode="imbalanced"), "unit", None, "needs labeled anomalies"),
        (lambda: RSCVAE(mode="one_class"), "unit", "anomalies", "normal data only"),
        (lambda: OIAD(consistency="ssim"), "unit", None, "image network"),
        (lambda: OIAD(morph_range=(0.9, 0.1)), "unit", None, "morph_range"),
        (
            lambda: VAE(network=ConvNet(image_shape=(4, 2, 8))),
            "unit",
            None,
            "divisible by 4",
        ),
        (
            lambda: RSCVAE(mode="shifted", shift_transform="flip_rotate"),
            "unit",
            None,
            "image feature map",
        ),
        (
            lambda: OneClassModel(MLP(), LatentDensity(), NegativeLogLikelihood()),
            "unit",
            None,
            "inference='bayesian'",
        ),
        (
            lambda: OneClassModel(
                MLP(), Hypersphere(), MeanScore(), regularizer=Recoding()
            ),
            "unit",
            None,
            "regularizes a LatentDensity",
        ),
        (
            lambda: OneClassModel(
                MLP(),
                LatentDensity(anomaly_score="recoding"),
                SemanticDeviationLoss(),
                regularizer=(),
                inference="bayesian",
            ),
            "unit",
            None,
            "add the Recoding",
        ),
        (
            lambda: OneClassModel(
                MLP(),
                LatentDensity(),
                NegativeLogLikelihood(),
                regularizer=DistributionShift(),
                inference="bayesian",
            ),
            "unit",
            None,
            "SemanticDeviationLoss",
        ),
    ],
)
def test_bad_combinations_are_named(make, X, y, match):
    rng = np.random.RandomState(0)
    X = rng.randn(40, 64) if X == "standardized" else rng.rand(40, 64)
    labels = None
    if y == "anomalies":
        labels = np.zeros(40, dtype=int)
        labels[0] = -1
    with pytest.raises(ValueError, match=match):
        make().set_params(max_epochs=1).fit(X, labels)


# -- what each method does ----------------------------------------------------------


def test_decentralization_spreads_the_codes():
    """The decentralization term spreads the normal codes over the cube."""
    X_train, _, X_test, _ = digit_task(4, seed=0)
    params = {"hidden_dims": (64, 32), "rep_dim": 8, **FAST, "max_epochs": 60}
    spread = {}
    for lam in (0.0, 0.1):
        ae = DecentralizationAE(decentralization_weight=lam, **params).fit(X_train)
        spread[lam] = np.mean(np.sum(ae.embed(X_train) ** 2, axis=1))
    assert spread[0.1] > spread[0.0] + 1.0


def test_reconstruction_errors_are_the_norm_and_the_mean_square():
    torch.manual_seed(0)
    encoder, decoder = torch.nn.Linear(6, 2), torch.nn.Linear(2, 6)
    X = torch.randn(5, 6)
    nets = {
        error: ReconstructionNet(encoder, decoder, error=error).eval()
        for error in ("l2", "mse")
    }
    with torch.no_grad():
        residual = decoder(encoder(X)) - X
        norm, mean_square = nets["l2"](X), nets["mse"](X)
    torch.testing.assert_close(norm, torch.linalg.vector_norm(residual, dim=1))
    torch.testing.assert_close(mean_square, norm**2 / 6)


def test_decentralization_ae_trains_on_the_papers_norm():
    """Hong & Choe's eq. 13: the Euclidean norm, on which lambda = 0.01 was
    set; the mean squared error stays one parameter away."""
    assert DecentralizationAE().get_parts()["model"].error == "l2"
    X, X_test, y_test = make_one_class_task(n_features=6)
    for error in ("l2", "mse"):
        ae = DecentralizationAE(reconstruction_error=error, **FAST).fit(X)
        assert labeled_roc_auc(y_test, ae.score_samples(X_test)) >= 0.9, error


@pytest.mark.slow
def test_rscvae_imbalanced_mode_uses_the_labeled_anomalies():
    """With anomalies in the training data, labeling them (mode e) beats
    leaving them unlabeled (mode o on the same rows), over the ten digits.

    Measured (seed 0, 10 labeled anomalies): mean test AUROC 0.887 unlabeled
    vs 0.936 labeled, a gain on every digit (+0.006 to +0.088). Against mode
    o on *clean* training data the labels give no gain on digits
    (benchmarks/results/digits.md: 94.9 vs 95.4), so that is not claimed.
    """
    gains = []
    for digit in range(10):
        X_train, y_train, X_test, anomaly = digit_task(digit, 0, n_labeled=10)
        aucs = []
        for y in (np.zeros_like(y_train), y_train):
            model = RSCVAE(hidden_dims=(64, 32), rep_dim=8, **FAST).fit(X_train, y)
            assert model.mode_ == ("imbalanced" if (y == -1).any() else "one_class")
            aucs.append(roc_auc_score(anomaly, -model.score_samples(X_test)))
        gains.append(aucs[1] - aucs[0])
    assert np.mean(gains) > 0.025, gains
    assert np.sum(np.array(gains) > 0) >= 8, gains


def test_rscvae_balanced_batches():
    """anomaly_fraction puts that share of the labeled anomalies in every
    batch of mode e; the paper's plain batches (None) leave them rare; and
    without labeled anomalies it changes nothing."""
    X, y, _, _ = digit_task(3, seed=0, n_labeled=5)
    assert (y == -1).sum() == 5
    params = {"hidden_dims": (16,), "rep_dim": 4, "max_epochs": 2, "batch_size": 20}
    for fraction, expected in ((0.5, {10}), (None, None)):
        counter = CountAnomalies()
        RSCVAE(anomaly_fraction=fraction, callbacks=[counter], random_state=0,
               **params).fit(X, y)  # fmt: skip
        if expected:
            assert set(counter.counts) == expected
            assert len(counter.counts) == 2 * -(-(y != -1).sum() // 10)
        else:
            assert sum(counter.counts) == 2 * 5
    plain = RSCVAE(random_state=0, **params).fit(X).score_samples(X)
    balanced = RSCVAE(anomaly_fraction=0.5, random_state=0, **params).fit(X)
    np.testing.assert_array_equal(plain, balanced.score_samples(X))


def test_rscvae_shifted_mode_makes_pseudo_anomalies():
    X_train, _, X_test, anomaly = digit_task(3, seed=0)
    model = RSCVAE(
        mode="shifted",
        shift_prob=0.2,
        network=ConvNet((1, 8, 8), rep_dim=8),
        **FAST,
    ).fit(X_train)
    assert model.mode_ == "shifted"
    assert model.get_parts()["regularizer"][-1].transform == "flip_rotate"
    # The mechanism: in training, a shift_prob share of the rows is flipped
    # or rotated and flagged as pseudo anomalies (4 binomial std of margin).
    module = copy.deepcopy(model.net_.module_).train()
    batch = torch.as_tensor(np.tile(X_train, (10, 1)), dtype=torch.float32)
    torch.manual_seed(0)
    with torch.no_grad():
        terms, extras = module(batch)
    pseudo = extras["pseudo"].numpy().astype(float)
    assert terms.shape == (len(batch), 3)  # nll, kl, regularizer
    assert set(np.unique(pseudo)) == {0.0, 1.0}
    assert abs(pseudo.mean() - 0.2) < 4 * np.sqrt(0.2 * 0.8 / len(batch))
    # It still learns the digit. Measured 0.90 (0.897 with other releases
    # of the dependencies); the bound is a sanity check, not the paper's claim.
    assert roc_auc_score(anomaly, -model.score_samples(X_test)) > 0.8


def test_oiad_predict_is_the_papers_decision():
    """predict flags x iff some code's consistency exceeds its threshold."""
    X_train, _, X_test, _ = digit_task(7, seed=0)
    oiad = OIAD(
        likelihood="bernoulli",
        discriminator_dims=(64,),
        hidden_dims=(64, 32),
        rep_dim=6,
        alpha=0.2,
        **FAST,
    ).fit(X_train)
    sc = oiad.structure_consistency(X_test)
    assert sc.shape == (len(X_test), len(oiad.codes_))
    decision = np.where((sc > oiad.thresholds_).any(axis=1), -1, 1)
    np.testing.assert_array_equal(oiad.predict(X_test), decision)
    morphs = oiad.morphs(X_test[:2])
    assert morphs.shape == (2, len(oiad.codes_), oiad.n_morphs, 64)
    assert morphs.min() >= 0 and morphs.max() <= 1  # Bernoulli means


# -- digits, one vs rest: the AUROC each method reaches ------------------------------

#: Mean AUROC over the ten tasks measured with ``python -m benchmarks.digits``
#: (seed 0, in benchmarks/results/digits.md), and the bound asserted here.
DIGITS_BOUNDS = {
    "VAE": 0.96,
    "RSCVAE": 0.92,
    "DecentralizationAE": 0.97,
    "OIAD": 0.95,
}


@pytest.mark.slow
@pytest.mark.parametrize("method", DIGITS_BOUNDS)
def test_digits_one_vs_rest(method):
    aucs = [evaluate(method, digit, seed=0) for digit in range(10)]
    assert np.mean(aucs) > DIGITS_BOUNDS[method]
    assert min(aucs) > 0.8
    assert method in METHODS


def test_a_combination_no_paper_has():
    """RSC-VAE's recoding with OIAD's TC penalty and the IWAE score."""
    X_train, X_test, y_test = make_one_class_task(n_features=5)
    model = OneClassModel(
        MLP(),
        LatentDensity(anomaly_score="iwae"),
        SemanticDeviationLoss(),
        regularizer=(Recoding(), TotalCorrelation(gamma=10.0, hidden_dims=(32,))),
        inference="bayesian",
        **FAST,
    ).fit(X_train)
    assert model.solver_ == "sgd"
    assert roc_auc_score(y_test, model.score_samples(X_test)) > 0.9


@pytest.mark.parametrize(
    "est",
    [
        VAE(max_epochs=20, random_state=0),
        RSCVAE(max_epochs=20, random_state=0),
        DecentralizationAE(max_epochs=20, lr=1e-3, random_state=0),
        OIAD(max_epochs=20, discriminator_dims=(256, 256), random_state=0),
    ],
    ids=lambda e: type(e).__name__,
)
def test_odds_thyroid_protocol(est, odds_home):
    """The thesis's ODDS protocol (1% labeled anomalies, standardized); the
    10-seed results are in benchmarks/results/odds.md."""
    X, y = load_odds("thyroid", data_home=odds_home)
    X_train, y_train, X_test, y_test = semisupervised_split(X, y, random_state=0)
    model = make_pipeline(StandardScaler(), est).fit(X_train, y_train)
    assert labeled_roc_auc(y_test, model.score_samples(X_test)) > 0.85


def test_ssim_is_one_for_equal_images_and_drops_with_noise():
    rng = torch.Generator().manual_seed(0)
    X = torch.rand(4, 64, dtype=torch.float64, generator=rng)
    torch.testing.assert_close(ssim(X, X, (1, 8, 8), 1.0), torch.ones(4).double())
    noisy = X + 0.3 * torch.randn(4, 64, dtype=X.dtype, generator=rng)
    assert (ssim(X, noisy, (1, 8, 8), 1.0) < 0.9).all()


@pytest.mark.parametrize("consistency", ["ssim", "loss"])
def test_oiad_consistency_measures(consistency):
    X_train, _, X_test, anomaly = digit_task(1, seed=0)
    oiad = OIAD(
        consistency=consistency,
        likelihood="bernoulli",
        network=ConvNet((1, 8, 8), rep_dim=6),
        discriminator_dims=(64,),
        n_morphs=5,
        **{**FAST, "max_epochs": 100},
    ).fit(X_train)
    assert roc_auc_score(anomaly, -oiad.score_samples(X_test)) > 0.93


@pytest.mark.parametrize(
    "shape, network",
    [
        ((1, 28, 28), "lenet28"),  # the thesis's LeNet and its mirror
        # Slow: scoring runs the deconvolutions in float64 (10 s on CPU).
        pytest.param((3, 32, 32), "lenet32", marks=pytest.mark.slow),
        # OIAD's encoder (4x4 convs 32-32-64-64, dense 128) at 32x32.
        ((1, 32, 32), ConvNet((1, 32, 32), (32, 32, 64, 64), 4, 128, rep_dim=20)),
        # RSC-VAE's (3x3 convs 32-64-128-256) on color images.
        ((3, 32, 32), ConvNet((3, 32, 32), (32, 64, 128, 256), 3, rep_dim=32)),
    ],
)
def test_image_networks_of_the_papers(shape, network):
    X = np.random.RandomState(0).rand(32, int(np.prod(shape)))
    vae = VAE(likelihood="bernoulli", network=network, max_epochs=1, random_state=0)
    assert np.isfinite(vae.fit(X).score_samples(X[:4])).all()
    # Encoder and decoder are the layouts the papers give, and the decoder
    # gives back images of the input's size.
    module = vae.net_.module_
    part = LeNet(shape) if isinstance(network, str) else network
    convs = [m for m in module.encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    expected = LENET_CHANNELS[shape] if isinstance(network, str) else network.channels
    assert [c.out_channels for c in convs] == list(expected)
    kernel = 5 if isinstance(network, str) else network.kernel_size
    assert {c.kernel_size for c in convs} == {(kernel, kernel)}
    rep_dim = part.output_dim(X.shape[1])
    with torch.no_grad():
        images = torch.as_tensor(X[:3], dtype=torch.float32).view(3, *shape)
        mu, logvar = module.eval().float().encode(images.flatten(start_dim=1))
        assert mu.shape == logvar.shape == (3, rep_dim)
        assert module.decoder(mu).shape[1] == int(np.prod(shape))


@pytest.mark.parametrize(
    "shape, rep_dim, channels",
    [((1, 28, 28), 32, (8, 4)), ((3, 32, 32), 128, (32, 64, 128))],
)
def test_lenets_are_the_thesis_networks(shape, rep_dim, channels):
    """Appendix B.1.1: 5x5 convolutions, each followed by batch norm without
    affine terms, leaky ReLU and 2x2 max pooling, then a dense code; no bias
    anywhere (Deep SVDD's hypersphere collapse), and a mirrored decoder."""
    part = LeNet(shape)
    n = int(np.prod(shape))
    encoder, decoder = build_network(part, n), build_decoder(part, n)
    assert part.output_dim(n) == rep_dim
    convs = [m for m in encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.out_channels for c in convs] == list(channels)
    assert {c.kernel_size for c in convs} == {(5, 5)}
    assert not any(
        name.endswith("bias") for name, _ in encoder.named_parameters()
    ) and not any(name.endswith("bias") for name, _ in decoder.named_parameters())
    pools = [m for m in encoder.modules() if isinstance(m, torch.nn.MaxPool2d)]
    norms = [m for m in encoder.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert len(pools) == len(norms) == len(channels)
    assert not any(m.affine for m in norms)
    X = torch.rand(4, n)
    with torch.no_grad():
        Z = encoder.eval()(X)
        assert Z.shape == (4, rep_dim)
        assert decoder.eval()(Z).shape == (4, n)
    with pytest.raises(ValueError, match=r"takes image_shape \(1, 28, 28\) or"):
        LeNet((1, 32, 32)).network_kwargs(1024)
    with pytest.raises(ValueError, match="takes flattened images of 784 features"):
        LeNet((1, 28, 28)).network_kwargs(100)


def test_accelerate_trains_the_vae_family_as_plain_pytorch():
    accelerate = pytest.importorskip("accelerate")
    X_train, X_test, _ = make_one_class_task(n_features=5)
    for est in [
        VAE(max_epochs=3),
        RSCVAE(mode="shifted", shift_prob=0.1, max_epochs=3),
        OIAD(discriminator_dims=(16,), max_epochs=3),
    ]:
        plain = clone(est).set_params(device="cpu", random_state=0).fit(X_train)
        accelerated = clone(est).set_params(
            device=accelerate.Accelerator(cpu=True), random_state=0
        )
        np.testing.assert_array_equal(
            accelerated.fit(X_train).score_samples(X_test),
            plain.score_samples(X_test),
        )


def test_reconstruct_is_what_the_score_measures():
    X_train, X_test, _ = make_one_class_task(n_features=5)
    from skoneclass import AutoEncoder, DeepSVDD

    ae = AutoEncoder(max_epochs=3, n_networks=1, random_state=0).fit(X_train)
    error = np.mean((X_test - ae.reconstruct(X_test)) ** 2, axis=1)
    np.testing.assert_allclose(-ae.score_samples(X_test), error)
    vae = VAE(**FAST).fit(X_train)
    assert vae.reconstruct(X_test).shape == X_test.shape
    with pytest.raises(AttributeError, match="no decoder"):
        DeepSVDD(max_epochs=1, pretrain=None).fit(X_train).reconstruct(X_test)
