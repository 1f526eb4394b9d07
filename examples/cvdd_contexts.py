"""CVDD on text: the words each context reads
===========================================

CVDD (thesis 3.2) embeds a document with several attention heads over its
(frozen) word vectors and pulls each head's embedding towards a context
vector. Here the normal documents are about sports and weather, the
anomalies about finance and cooking (``make_topic_corpus``, with word
vectors trained on a separate corpus; stop words removed as in the thesis).
``CVDD.explain`` returns each context's attention over a document's words;
summed over the training documents they give each context's top words, the
thesis's interpretation of what the model learned. The right panel shows the
score histograms.

Run with ``python examples/cvdd_contexts.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from skoneclass import CVDD
from skoneclass.datasets import make_topic_corpus
from skoneclass.datasets.synthetic import STOP_WORDS, TOPICS


def main(output_dir=None):
    docs, topic, vocabulary, embeddings = make_topic_corpus(600, random_state=0)
    stop = {vocabulary.index(w) for w in STOP_WORDS}
    docs = [[t for t in d if t not in stop] or d for d in docs]
    normal = np.isin(topic, ["sports", "weather"])
    train = np.flatnonzero(normal)[:200]
    test = np.setdiff1d(np.arange(len(docs)), train)
    cvdd = CVDD(embeddings, n_contexts=3, max_epochs=50, random_state=0)
    cvdd.fit([docs[i] for i in train])
    scores = -cvdd.score_samples([docs[i] for i in test])
    auc = roc_auc_score(~normal[test], scores)
    weight = np.zeros((3, len(vocabulary)))
    for a, i in zip(cvdd.explain([docs[i] for i in train]), train, strict=True):
        for k in range(3):
            np.add.at(weight[k], docs[i], a[k])
    top = [[vocabulary[j] for j in np.argsort(-w)[:8]] for w in weight]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.axis("off")
    left.table(
        cellText=np.array(top).T,
        colLabels=[f"context {k + 1}" for k in range(3)],
        loc="center",
    )
    left.set_title("top-attended words per context (training documents)")
    for label, rows in (("normal", normal[test]), ("off-topic", ~normal[test])):
        right.hist(scores[rows], bins=30, alpha=0.6, label=label)
    right.set_xlabel("anomaly score: mean cosine distance to the contexts")
    right.set_title(f"test AUROC {auc:.3f}")
    right.legend()
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "cvdd_contexts.png", dpi=100)
    normal_words = set(TOPICS["sports"].split()) | set(TOPICS["weather"].split())
    on_topic = np.mean([w in normal_words for words in top for w in words])
    for k, words in enumerate(top):
        print(f"context {k + 1}: {' '.join(words)}")
    print(f"AUROC {auc:.3f}; share of top words from the normal topics {on_topic:.2f}")
    return {"auroc": auc, "top_words_on_topic": on_topic}


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
