"""CVDD: Context Vector Data Description for text (thesis section 3.2).

Text is a sequence of token ids; a word embedding matrix the user provides
(GloVe, fastText, or vectors trained on their own corpus) maps the tokens to
vectors and stays frozen. A multi-head self-attention turns each sequence
into r sentence embeddings, one per context vector; CVDD pulls each towards
its context (cosine distance) while an orthogonality penalty keeps the
contexts apart.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._docstrings import shared_parameters
from ..parts.losses import MeanScore
from ..parts.models import Contexts
from ..parts.networks import SelfAttention
from ..parts.regularizers import Orthogonality, WeightDecay
from .solver import BaseDeepDetector


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

    _training_recipe = {"batch_size": 64, "max_epochs": 100}

    _parameter_constraints = {
        **BaseDeepDetector._parameter_constraints,
        "embeddings": ["array-like", None],
        "n_contexts": [Interval(Integral, 1, None, closed="left")],
        "attention_size": [Interval(Integral, 1, None, closed="left")],
        "ortho_weight": [Interval(Real, 0, None, closed="left")],
        "alpha_max": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

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
        max_epochs="auto",
        batch_size="auto",
        weight_decay=5e-7,
        device="auto",
        random_state=None,
        n_networks=1,
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
        self.n_networks = n_networks
        self.callbacks = callbacks
        self.verbose = verbose
        self.contamination = contamination

    def get_parts(self):
        """Frozen word vectors with self-attention; r contexts; orthogonality."""
        return {
            "feature_map": SelfAttention(self.embeddings, self.attention_size),
            "model": Contexts(self.n_contexts, self.alpha_max),
            "loss": MeanScore(),
            "regularizer": (
                WeightDecay(self.weight_decay),
                Orthogonality(self.ortho_weight),
            ),
            "inference": "frequentist",
        }

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
        pad = self.net_.module_.pad
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
