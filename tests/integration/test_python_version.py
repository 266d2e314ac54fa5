"""An interpreter older than 3.11 gets one line saying which Python FilmBot needs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from filmbot.python_version import unsupported_python

ROOT = Path(__file__).resolve().parents[2]
FAKE_310 = "import sys; sys.version_info = (3, 10, 14, 'final', 0)"


def test_version_check_names_the_needed_python_only_when_too_old() -> None:
    assert unsupported_python((3, 11, 0), "/usr/bin/python3") is None
    assert unsupported_python((3, 13, 1), "/usr/bin/python3") is None
    message = unsupported_python((3, 10, 14), "/usr/bin/python3")
    assert message == (
        "filmbot: FilmBot needs Python 3.11 or newer; /usr/bin/python3 is Python 3.10.14"
    )


@pytest.mark.parametrize(
    "start",
    [
        f"runpy.run_path({str(ROOT / 'main.py')!r}, run_name='__main__')",
        "runpy.run_module('filmbot', run_name='__main__')",
    ],
    ids=["main.py", "python -m filmbot"],
)
def test_entry_points_on_python_3_10_print_one_line_and_exit_2(tmp_path: Path, start: str) -> None:
    code = f"{FAKE_310}\nimport runpy\n{start}"
    result = subprocess.run(
        [sys.executable, "-c", code, "run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"filmbot: FilmBot needs Python 3.11 or newer; {sys.executable} is Python 3.10.14"
    ]
    assert not (tmp_path / "logs").exists()


def _stub_python(bin_dir: Path, version: tuple[int, int, int]) -> Path:
    """A `python3` that runs the real interpreter but reports `version`, and logs other calls.

    `-c CODE` runs CODE with sys.version_info set to `version`, as that interpreter would;
    anything else (creating the venv) is recorded and refused, so the test sees how far the
    script got.
    """
    calls = bin_dir / "calls.log"
    fake = f"import sys; sys.version_info = ({version[0]}, {version[1]}, {version[2]}, 'final', 0)"
    stub = bin_dir / "python3"
    stub.write_text(
        "#!/bin/sh\n"
        f'if [ "$1" = "--version" ]; then echo "Python {".".join(map(str, version))}"; exit 0; fi\n'
        f'if [ "$1" = "-c" ]; then exec {sys.executable} -c "{fake}\n$2"; fi\n'
        f'echo "$*" >> {calls}\n'
        "exit 99\n"
    )
    stub.chmod(0o755)
    return calls


def _script(name: str, tmp_path: Path, version: tuple[int, int, int]) -> tuple[int, str, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = _stub_python(bin_dir, version)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "FILMBOT_VENV")}
    env.update(PATH=f"{bin_dir}:{env['PATH']}", FILMBOT_VENV=str(tmp_path / "venv"))
    result = subprocess.run(
        [str(ROOT / "scripts" / name)], env=env, capture_output=True, text=True, timeout=60
    )
    return result.returncode, result.stderr, calls


@pytest.mark.parametrize("name", ["run.sh", "test.sh"])
def test_scripts_refuse_python_3_10_before_creating_the_venv(tmp_path: Path, name: str) -> None:
    code, err, calls = _script(name, tmp_path, (3, 10, 14))
    assert code == 2
    assert err.splitlines() == ["FilmBot needs Python 3.11 or newer; python3 is Python 3.10.14"]
    assert not calls.exists()
    assert not (tmp_path / "venv").exists()


def test_scripts_go_on_to_create_the_venv_with_python_3_11(tmp_path: Path) -> None:
    code, err, calls = _script("run.sh", tmp_path, (3, 11, 9))
    assert "needs Python" not in err
    assert code == 99
    assert calls.read_text().split() == ["-m", "venv", str(tmp_path / "venv")]
