"""CVDD: Context Vector Data Description for text (thesis section 3.2).

Text is a sequence of token ids; a word embedding matrix the user provides
(GloVe, fastText, or vectors trained on their own corpus) maps the tokens to
vectors and stays frozen. A multi-head self-attention turns each sequence
into r sentence embeddings, one per context vector; CVDD pulls each towards
its context (cosine distance) while an orthogonality penalty keeps the
contexts apart.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch.callbacks import Callback
from torch import nn

from .._docstrings import shared_parameters
from ..parts.losses import MeanScore
from ..parts.models import Contexts
from ..parts.networks import SelfAttention
from ..parts.regularizers import Orthogonality, WeightDecay
from .solver import BaseDeepDetector


def check_token_sequences(X, n_tokens):
    """Token sequences as an int64 array (n, L) padded with ``n_tokens``.

    Raises a TypeError for anything that is not sequences of integer token
    ids, a ValueError for empty documents and ids outside [0, n_tokens).
    """
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "iu":
        docs = list(X)
    elif isinstance(X, str) or not hasattr(X, "__len__"):
        raise TypeError(
            "CVDD takes a sequence of documents, each a sequence of integer "
            f"token ids; got {type(X).__name__}."
        )
    else:
        docs = list(X)
    if len(docs) < 1:
        raise ValueError("CVDD needs at least one document, got 0.")
    arrays = []
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            raise TypeError(
                f"document {i} is a string; CVDD takes integer token ids (map "
                "words to rows of the embedding matrix first)."
            )
        ids = np.asarray(doc)
        if ids.dtype.kind in "USO" and ids.size:
            what = "objects" if ids.dtype.kind == "O" else "strings"
            raise TypeError(
                f"document {i} holds {what}; "
                "CVDD takes integer token ids (map words to rows of the "
                "embedding matrix first)."
            )
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(
                f"document {i} must be a 1-D sequence of integer token ids, got "
                f"dtype {ids.dtype} and shape {ids.shape}."
            )
        if ids.size == 0:
            raise ValueError(f"document {i} has no tokens.")
        if ids.min() < 0 or ids.max() >= n_tokens:
            raise ValueError(
                f"document {i} has token ids outside [0, {n_tokens}) (the rows "
                f"of the embedding matrix): {ids.min()}..{ids.max()}."
            )
        arrays.append(ids.astype(np.int64))
    padded = np.full((len(arrays), max(map(len, arrays))), n_tokens, dtype=np.int64)
    for i, ids in enumerate(arrays):
        padded[i, : len(ids)] = ids
    return padded


class CVDDNet(nn.Module):
    """Self-attention over frozen word vectors and r context vectors.

    ``A = softmax_words(tanh(H W1) W2)`` (thesis eq. 3.2), ``M = A^T H``
    (3.3), and per head k the cosine distance ``d_k = (1 - cos(m_k, c_k)) /
    2`` (3.6). Training returns the (n, r) distances; eval mode the mean
    distance, the anomaly score (3.13).
    """

    def __init__(self, embeddings, attention_size, contexts, ortho_weight):
        super().__init__()
        n_tokens, dim = embeddings.shape
        # The padding token's vector is zero and never attended to.
        table = torch.cat([embeddings, torch.zeros(1, dim, dtype=embeddings.dtype)])
        self.embedding = nn.Embedding.from_pretrained(table, freeze=True)
        self.pad = n_tokens
        self.W1 = nn.Linear(dim, attention_size, bias=False)
        self.W2 = nn.Linear(attention_size, len(contexts), bias=False)
        self.contexts = nn.Parameter(contexts.clone())
        self.penalties = nn.ModuleList([ContextOrthogonality(ortho_weight)])

    def attention(self, tokens):
        """Attention weights (n, L, r); zero on padding."""
        H = self.embedding(tokens)
        logits = self.W2(torch.tanh(self.W1(H)))
        logits = logits.masked_fill((tokens == self.pad)[..., None], float("-inf"))
        return torch.softmax(logits, dim=1)

    def distances(self, tokens):
        """Cosine distance (n, r) of each head's sentence embedding to its context."""
        H = self.embedding(tokens)
        M = self.attention(tokens).transpose(1, 2) @ H
        cos = nn.functional.cosine_similarity(M, self.contexts[None], dim=2, eps=1e-8)
        return 0.5 * (1.0 - cos)

    def forward(self, tokens):
        d = self.distances(tokens)
        return d if self.training else d.mean(dim=1)


class ContextOrthogonality(nn.Module):
    """lambda ||C C^T - I||_F^2 on the context vectors (thesis eq. 3.8)."""

    def __init__(self, weight):
        super().__init__()
        self.weight = weight

    def forward(self, module):
        C = module.contexts
        eye = torch.eye(len(C), dtype=C.dtype, device=C.device)
        return self.weight * ((C @ C.T - eye) ** 2).sum()


class CVDDObjective(nn.Module):
    """sum_k sigma_k d_k, sigma = softmax(-alpha d) over the heads (3.7, 3.11)."""

    def __init__(self):
        super().__init__()
        self.alpha = 0.0

    def forward(self, d, y=None):
        sigma = torch.softmax(-self.alpha * d, dim=1)
        return (sigma * d).sum(dim=1).mean()


class AlphaAnnealing(Callback):
    """alpha = 0 for the first tenth of the epochs, then log-spaced from 1e-4
    up to ``alpha_max``: explore all contexts first, then fit the closest."""

    def __init__(self, alpha_max, max_epochs):
        self.alpha_max = alpha_max
        self.max_epochs = max_epochs

    def on_epoch_begin(self, net, **kwargs):
        epoch = len(net.history) - 1
        warm = max(1, self.max_epochs // 10)
        if epoch < warm or self.alpha_max == 0:
            alpha = 0.0
        else:
            steps = np.logspace(-4, np.log10(self.alpha_max), self.max_epochs - warm)
            alpha = float(steps[min(epoch - warm, len(steps) - 1)])
        net.criterion_.alpha = alpha


@shared_parameters()
class CVDD(BaseDeepDetector):
    """Context Vector Data Description (Ruff et al., 2019; thesis 3.2).

    With frozen word vectors H of a document, r attention heads give r
    sentence embeddings ``m_k = H a_k``; CVDD learns the attention weights
    and r context vectors c_k so that each m_k is close to c_k in cosine
    distance ``d_k = (1 - cos(m_k, c_k)) / 2``:

    .. math::

        \\min_{C, W_1, W_2} \\frac{1}{n} \\sum_i \\sum_k \\sigma_k(H_i)
        d_k(H_i) + \\lambda \\|C^\\top C - I\\|_F^2,

    with ``sigma = softmax(-alpha d)`` over the heads, alpha annealed from 0.
    The contexts start at the k-means++ centroids of the mean word vectors of
    the documents. ``score_samples = -mean_k d_k``; :meth:`explain` gives the
    attention weights, the words each context reads.

    Parameters
    ----------
    embeddings : array-like of shape (n_tokens, embedding_dim), default=None
        Word vectors, row i for token id i (frozen); required (None is
        refused at fit). Bring your
        own (GloVe, fastText) or train them on your corpus; nothing is
        downloaded.
    n_contexts : int, default=3
        r, the number of attention heads and context vectors.
    attention_size : int, default=150
        d_a, the width of the attention network.
    ortho_weight : float, default=1.0
        lambda of the context orthogonality penalty (the thesis finds 1 and
        10 reliable).
    alpha_max : float, default=1.0
        Final softmax temperature of the context weights.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    contexts_ : ndarray of shape (n_contexts, embedding_dim)
    history_ : skorch.History
    offset_ : float

    Examples
    --------
    >>> from skoneclass import CVDD
    >>> from skoneclass.datasets import make_topic_corpus
    >>> docs, topic, vocabulary, vectors = make_topic_corpus(100, random_state=0)
    >>> cvdd = CVDD(vectors, max_epochs=5, random_state=0).fit(docs)
    >>> attention = cvdd.explain(docs[:1])[0]  # (n_contexts, words of doc 0)
    >>> attention.shape == (3, len(docs[0]))
    True
    """

    _parameter_constraints = {
        **BaseDeepDetector._parameter_constraints,
        "embeddings": ["array-like", None],
        "n_contexts": [Interval(Integral, 1, None, closed="left")],
        "attention_size": [Interval(Integral, 1, None, closed="left")],
        "ortho_weight": [Interval(Real, 0, None, closed="left")],
        "alpha_max": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }
    _accepts_images = False

    def __init__(
        self,
        embeddings=None,
        n_contexts=3,
        attention_size=150,
        ortho_weight=1.0,
        alpha_max=1.0,
        optimizer="adam",
        lr=1e-2,
        lr_milestones=None,
        max_epochs=100,
        batch_size=64,
        weight_decay=5e-7,
        device="auto",
        random_state=None,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        self.embeddings = embeddings
        self.n_contexts = n_contexts
        self.attention_size = attention_size
        self.ortho_weight = ortho_weight
        self.alpha_max = alpha_max
        self.optimizer = optimizer
        self.lr = lr
        self.lr_milestones = lr_milestones
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state
        self.callbacks = callbacks
        self.verbose = verbose
        self.contamination = contamination

    def get_parts(self):
        """Frozen word vectors with self-attention; r contexts; orthogonality."""
        return {
            "feature_map": SelfAttention(self.n_contexts, self.attention_size),
            "model": Contexts(self.n_contexts),
            "loss": MeanScore(),
            "regularizer": (
                WeightDecay(self.weight_decay),
                Orthogonality(self.ortho_weight),
            ),
            "inference": "frequentist",
        }

    def _embedding_table(self):
        if self.embeddings is None:
            raise ValueError(
                "CVDD needs word vectors: pass embeddings, an array of shape "
                "(n_tokens, embedding_dim) whose row i embeds token id i."
            )
        E = np.asarray(self.embeddings, dtype=np.float32)
        if E.ndim != 2 or not np.all(np.isfinite(E)):
            raise ValueError(
                "embeddings must be a finite 2-D array (n_tokens, embedding_dim), "
                f"got shape {E.shape}."
            )
        return E

    def _validate_X(self, X, reset):
        return check_token_sequences(X, len(self._embedding_table()))

    def _fit(self, X, y):
        self._set_device()
        self.feature_map_ = None
        E = self._embedding_table()
        rng = check_random_state(self.random_state)
        seed = rng.randint(np.iinfo(np.int32).max)
        mask = X < len(E)
        means = (E[np.where(mask, X, 0)] * mask[..., None]).sum(axis=1)
        means /= mask.sum(axis=1, keepdims=True)
        n_contexts = min(self.n_contexts, len(np.unique(means, axis=0)))
        kmeans = KMeans(n_contexts, n_init=10, random_state=seed).fit(means)
        with self._seeded_torch(seed):
            module = CVDDNet(
                torch.as_tensor(E),
                self.attention_size,
                torch.as_tensor(kmeans.cluster_centers_, dtype=torch.float32),
                self.ortho_weight,
            )
            self.net_ = self._train(
                module,
                CVDDObjective(),
                (X, np.zeros(len(X), dtype=np.int64)),
                self.max_epochs,
                self.weight_decay,
                [AlphaAnnealing(self.alpha_max, self.max_epochs)],
            )
        return None

    def _batch_tensor(self, rows):
        return torch.as_tensor(rows)  # token ids, padded

    def _score_samples(self, X):
        return -self._batched(self._float64_module(), X)

    def context_distances(self, X):
        """Cosine distance of each document to each context (thesis eq. 3.12).

        Parameters
        ----------
        X : sequence of sequences of int

        Returns
        -------
        distances : ndarray of shape (n_documents, n_contexts)
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._batched(self._float64_module().distances, X)

    def explain(self, X):
        """The attention weights of each head over each document's words.

        Parameters
        ----------
        X : sequence of sequences of int

        Returns
        -------
        attention : list of ndarray of shape (n_contexts, length_i)
            Per document, each context's weights over its tokens (each row
            sums to one): the words a context reads (thesis 3.2.2).
        """
        check_is_fitted(self)
        tokens = self._validate_X(X, reset=False)
        A = self._batched(self._float64_module().attention, tokens)
        pad = len(self._embedding_table())
        return [a[: int((t != pad).sum())].T for a, t in zip(A, tokens, strict=True)]

    @property
    def contexts_(self):
        """The context vectors c_k, shape (n_contexts, embedding_dim)."""
        check_is_fitted(self)
        return self.net_.module_.contexts.detach().cpu().numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
