"""CVDD: context vectors over word vectors, its input."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

from skoneclass import CVDD
from skoneclass.datasets import make_topic_corpus
from skoneclass.datasets.synthetic import STOP_WORDS


@pytest.fixture(scope="module")
def corpus():
    docs, topic, vocabulary, embeddings = make_topic_corpus(500, random_state=0)
    stop = {vocabulary.index(w) for w in STOP_WORDS}
    docs = [[t for t in d if t not in stop] or d for d in docs]  # stop words out
    normal = np.isin(topic, ["sports", "weather"])
    train = np.flatnonzero(normal)[:150]
    test = np.setdiff1d(np.arange(len(docs)), train)
    return docs, normal, train, test, vocabulary, embeddings


def test_cvdd_detects_off_topic_documents(corpus):
    docs, normal, train, test, vocabulary, E = corpus
    cvdd = CVDD(E, max_epochs=30, random_state=0).fit([docs[i] for i in train])
    scores = cvdd.score_samples([docs[i] for i in test])
    assert roc_auc_score(~normal[test], -scores) > 0.95
    attention = cvdd.explain([docs[i] for i in test[:4]])
    for a, i in zip(attention, test[:4], strict=True):
        assert a.shape == (3, len(docs[i]))
        np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-6)
    d = cvdd.context_distances([docs[i] for i in test[:4]])
    np.testing.assert_allclose(-d.mean(axis=1), scores[:4])
    assert cvdd.contexts_.shape == (3, E.shape[1])


def test_cvdd_is_reproducible_and_pickles(corpus):
    docs, _, train, _, _, E = corpus
    sample = [docs[i] for i in train[:60]]
    a = CVDD(E, max_epochs=2, random_state=1).fit(sample)
    b = clone(a).fit(sample)
    np.testing.assert_array_equal(a.score_samples(sample), b.score_samples(sample))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.score_samples(sample), c.score_samples(sample))
    assert set(a.predict(sample)) <= {-1, 1}


@pytest.mark.parametrize(
    ("X", "error", "match"),
    [
        ([["goal", "win"]], TypeError, "holds strings"),
        (["goal win"], TypeError, "is a string"),
        ([[1.5, 2.0]], TypeError, "integer token ids"),
        ([[1, 2], []], ValueError, "document 1 has no tokens"),
        ([[1, 999]], ValueError, r"outside \[0, 63\)"),
        (np.zeros((3, 4)), TypeError, "integer token ids"),
    ],
)
def test_cvdd_says_what_input_it_takes(corpus, X, error, match):
    E = corpus[-1]
    with pytest.raises(error, match=match):
        CVDD(E, max_epochs=1).fit(X)
