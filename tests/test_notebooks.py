"""The tabular notebooks run (fast settings) and show their results."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = Path(__file__).resolve().parents[1] / "examples" / "notebooks"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["arrhythmia", "thyroid"])
def test_notebook_runs(name, odds_home, monkeypatch):
    monkeypatch.setenv("SKONECLASS_FAST", "1")
    monkeypatch.setenv("SKONECLASS_DATA", str(odds_home))
    path = NOTEBOOKS / f"{name}.ipynb"
    committed = nbformat.read(path, as_version=4)
    # The committed copy was executed: it shows its table and figure.
    outputs = [o for c in committed.cells for o in c.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs), name
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    ).execute()  # fmt: skip (raises CellExecutionError on any failing cell)
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert "test AUROC (%)" in text and "held-out AUROC" in text
