"""Every example in examples/ runs (so none rots) and reaches its point."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.py"))


#: What each example demonstrates, as a check on its returned results.
CLAIMS = {
    "grid_search_with_partial_labels": lambda r: (
        r["SSAD"] > 0.9 and r["SSAD"] > r["SVDD"]
    ),
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_runs_and_makes_its_point(path, capsys):
    results = runpy.run_path(str(path))["main"]()
    assert CLAIMS[path.stem](results), results
