"""The README's code runs as written, and its console output is current."""

import re
import shlex
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
CONSOLE_BLOCKS = re.findall(r"```console\n\$ (.*?)\n(.*?)```", README, flags=re.DOTALL)


def test_the_readme_has_the_blocks_this_module_runs():
    assert len(PYTHON_BLOCKS) >= 4
    assert CONSOLE_BLOCKS


@pytest.mark.parametrize(
    "code", PYTHON_BLOCKS, ids=[f"block{i}" for i in range(len(PYTHON_BLOCKS))]
)
def test_python_block_runs_as_written(code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # a block may write files
    with warnings.catch_warnings():
        # A block that a user copies must not warn (labels, training).
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize("command, output", CONSOLE_BLOCKS)
def test_console_block_prints_what_it_shows(command, output):
    assert command.startswith("python ")
    args = [sys.executable, *shlex.split(command[len("python ") :])]
    run = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == output.strip()
