"""CVDD's torch modules: self-attention over word vectors and its contexts.

The realization of :class:`~skoneclass.parts.SelfAttention` with
:class:`~skoneclass.parts.Contexts` (thesis section 3.2), built by the model
builder of the contexts (:mod:`skoneclass.deep.model_builders`).
"""

import numpy as np
import torch
from skorch.callbacks import Callback
from torch import nn


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
