"""README's demo runs and its detectors work on the real (bundled) data."""

from skoneclass import demo


def test_demo_reaches_a_useful_auroc(capsys):
    results = demo.main()
    out = capsys.readouterr().out
    assert "AUROC" in out and len(results) == 9
    # Breast cancer as a one-class task is learnable by every detector ...
    assert min(results.values()) > 0.8
    # ... and the labeled anomalies help SSAD beyond its unsupervised twin.
    assert results["SSAD (uses the 5 labels)"] > results["SVDD"]
