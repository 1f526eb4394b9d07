"""Data the project generates itself: defect images with masks, a text corpus.

Nothing here is downloaded; every generator is seeded by ``random_state``.
"""

import numpy as np
from sklearn.utils import check_random_state

#: The defect kinds of :func:`make_defect_textures`.
DEFECTS = ("blob", "scratch", "patch")


def _texture(rng, size, frequency, angle):
    """A woven texture: two oriented gratings, random phases, pixel noise."""
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    image = np.zeros((size, size))
    for theta in (angle, angle + np.pi / 2):
        u = xx * np.cos(theta) + yy * np.sin(theta)
        image += np.sin(2 * np.pi * frequency * u + rng.uniform(0, 2 * np.pi))
    return 0.5 + 0.2 * image + rng.normal(0, 0.05, (size, size))


def _defect(rng, image, kind, frequency, angle):
    """Draw one defect of ``kind`` into ``image``; returns its mask."""
    size = image.shape[0]
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    cy, cx = rng.uniform(0.2 * size, 0.8 * size, 2)
    if kind == "blob":
        ry, rx = rng.uniform(0.06 * size, 0.15 * size, 2)
        mask = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
        image[mask] += rng.choice([-1, 1]) * rng.uniform(0.4, 0.6)
    elif kind == "scratch":
        theta = rng.uniform(0, np.pi)
        length = rng.uniform(0.3 * size, 0.6 * size)
        along = (xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)
        across = -(xx - cx) * np.sin(theta) + (yy - cy) * np.cos(theta)
        mask = (np.abs(along) <= length / 2) & (np.abs(across) <= 0.75)
        image[mask] = rng.choice([0.0, 1.0])
    else:  # a patch woven in another direction
        h, w = rng.integers(int(0.2 * size), int(0.35 * size) + 1, 2)
        top, left = int(cy - h / 2), int(cx - w / 2)
        mask = np.zeros((size, size), dtype=bool)
        mask[top : top + h, left : left + w] = True
        other = _texture(rng, size, 1.6 * frequency, angle + np.pi / 4)
        image[mask] = other[mask]
    return mask


def make_defect_textures(
    n_normal=500,
    n_anomalous=100,
    *,
    size=32,
    defects=DEFECTS,
    random_state=None,
):
    """Texture images, some with drawn defects, and the defects' masks.

    A synthetic stand-in for MVTec-AD's textures to test anomaly heatmaps:
    every image is one woven material (two gratings at a fixed frequency
    and orientation, random phases, pixel noise); an anomalous image has one
    defect: a "blob" (a brighter or darker ellipse), a "scratch" (a thin
    line) or a "patch" woven differently. The mask marks the defect's pixels.

    Parameters
    ----------
    n_normal, n_anomalous : int, default=500, 100
    size : int, default=32
        Side of the square gray images.
    defects : sequence of {"blob", "scratch", "patch"}, default=all three
        Kinds drawn, uniformly at random.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_normal + n_anomalous, 1, size, size), float32
        Values about in [0, 1]; normal images first.
    y : ndarray of shape (n_samples,)
        +1 normal, -1 anomalous (the labels of ``fit``).
    masks : ndarray of shape (n_samples, size, size), bool
        The defect pixels (all False for normal images).
    """
    unknown = set(defects) - set(DEFECTS)
    if unknown or not len(defects):
        raise ValueError(
            f"defects must be a non-empty subset of {DEFECTS}, got {defects!r}."
        )
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
    frequency, angle = 0.18, np.pi / 6
    n = n_normal + n_anomalous
    X = np.empty((n, 1, size, size), dtype=np.float32)
    masks = np.zeros((n, size, size), dtype=bool)
    for i in range(n):
        image = _texture(rng, size, frequency, angle)
        if i >= n_normal:
            kind = defects[rng.integers(len(defects))]
            masks[i] = _defect(rng, image, kind, frequency, angle)
        X[i, 0] = image
    y = np.r_[np.ones(n_normal, dtype=int), -np.ones(n_anomalous, dtype=int)]
    return X, y, masks


#: Topic words of :func:`make_topic_corpus`.
TOPICS = {
    "sports": "game team player score coach season match goal win league ball fans",
    "weather": "rain storm wind cloud sunny forecast snow temperature cold heat sky",
    "finance": "market stock price bank investor profit trade dollar rate fund share",
    "cooking": "recipe oven flour sugar butter bake salt pan taste dinner sauce egg",
}
#: The filler words of every document of :func:`make_topic_corpus`.
STOP_WORDS = "the a of and to in is it that for on with as was at by this".split()


def _documents(rng, vocabulary, topics, n, length):
    index = {w: i for i, w in enumerate(vocabulary)}
    words = {t: TOPICS[t].split() for t in TOPICS}
    docs = []
    for topic in topics[rng.integers(len(topics), size=n)]:
        size = rng.integers(length[0], length[1] + 1)
        # Half topic words, half filler, in random order.
        doc = [
            words[topic][rng.integers(len(words[topic]))]
            if rng.random() < 0.5
            else STOP_WORDS[rng.integers(len(STOP_WORDS))]
            for _ in range(size)
        ]
        docs.append(([index[w] for w in doc], topic))
    return docs


def _ppmi_embeddings(docs, n_tokens, dim, window=3):
    """Word vectors from the SVD of the positive PMI co-occurrence matrix."""
    counts = np.zeros((n_tokens, n_tokens))
    for doc in docs:
        for i, w in enumerate(doc):
            for v in doc[max(0, i - window) : i + window + 1]:
                counts[w, v] += 1
    np.fill_diagonal(counts, 0)
    total = counts.sum()
    row, col = counts.sum(axis=1, keepdims=True), counts.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (row * col))
    ppmi = np.where(np.isfinite(pmi) & (pmi > 0), pmi, 0.0)
    U, S, _ = np.linalg.svd(ppmi)
    return (U[:, :dim] * np.sqrt(S[:dim])).astype(np.float32)


def make_topic_corpus(
    n_documents=400,
    *,
    topics=("sports", "weather", "finance", "cooking"),
    length=(8, 20),
    embedding_dim=16,
    random_state=None,
):
    """A small text corpus of topics, with word embeddings trained on it.

    A stand-in for Reuters or 20 Newsgroups to try :class:`~skoneclass.CVDD`
    offline: every document mixes words of one topic with filler words. The
    word vectors come from the SVD of the positive PMI matrix of word
    co-occurrences in a separate corpus of 2000 documents of all topics,
    so they know the topics without seeing these documents.

    Parameters
    ----------
    n_documents : int, default=400
    topics : sequence of str, default=all four
        Subset of ``TOPICS``: "sports", "weather", "finance", "cooking".
    length : (int, int), default=(8, 20)
        Range of document lengths in tokens.
    embedding_dim : int, default=16
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    documents : list of list of int
        Token ids.
    topic : ndarray of shape (n_documents,), dtype object
        Each document's topic.
    vocabulary : list of str
        The word of each token id.
    embeddings : ndarray of shape (len(vocabulary), embedding_dim), float32
    """
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown topics {sorted(unknown)}; use {sorted(TOPICS)}.")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31))
    vocabulary = [*STOP_WORDS, *(w for t in TOPICS for w in TOPICS[t].split())]
    background = _documents(rng, vocabulary, np.array(list(TOPICS)), 2000, length)
    embeddings = _ppmi_embeddings(
        [d for d, _ in background], len(vocabulary), embedding_dim
    )
    docs = _documents(rng, vocabulary, np.array(list(topics)), n_documents, length)
    return (
        [d for d, _ in docs],
        np.array([str(t) for _, t in docs], dtype=object),
        vocabulary,
        embeddings,
    )
