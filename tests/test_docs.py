"""Every command is documented in the README and has help text; the README's transcripts are true."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from unitynlp.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_in_readme_with_help(name):
    command = cli.commands[name]
    assert command.help and len(command.help.strip()) > 20
    assert re.search(rf"unitynlp {name}\b", README), f"README has no example of 'unitynlp {name}'"


def test_quick_start_commands_match_ci():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    test_command = re.search(r"```bash\n(pip install -e \".\[test\]\".*?)\n```", README, re.S).group(1).strip()
    assert test_command in ci


def _transcripts():
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            yield command, expected.rstrip("\n")


@pytest.mark.parametrize("command, expected", list(_transcripts()))
def test_readme_transcript(command, expected, tmp_path):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True,
                            env=env, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == expected
