"""CI cannot pass by skipping: missing data or test dependencies fail it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_stops_when_the_shared_data_is_absent(tmp_path):
    env = dict(os.environ, SKONECLASS_DATA=str(tmp_path))
    run = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run")],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert f"CI needs the shared data folder: no ODDS files in {tmp_path}" in run.stderr
    assert run.stdout == ""  # it stops before installing anything


def test_strict_mode_turns_a_data_skip_into_a_failure(tmp_path):
    # Without the flag the same test skips (as on a developer's machine).
    env = dict(os.environ, SKONECLASS_DATA=str(tmp_path), SKONECLASS_STRICT_TESTS="1")
    command = [
        sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
        str(ROOT / "tests" / "test_datasets.py"), "-k", "reproducible",
    ]  # fmt: skip
    strict = subprocess.run(command, capture_output=True, text=True, env=env)
    assert strict.returncode == 1, strict.stdout
    assert "skipped under SKONECLASS_STRICT_TESTS=1" in strict.stdout
    assert f"ODDS data not found in {tmp_path}" in strict.stdout
