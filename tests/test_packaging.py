"""Packaging, CI, docs and benchmark scaffolding: cheap checks that they stay consistent."""
import json
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


def quick_start_commands():
    """The non-empty lines of the first fenced block after '## Quick start' in README.md."""
    text = _read("README.md")
    m = re.search(r"^## Quick start\n.*?^```[a-z]*\n(.*?)^```", text, re.S | re.M)
    assert m, "README.md has no fenced block under '## Quick start'"
    return [line for line in m.group(1).splitlines() if line.strip()]


def test_readme_quick_start_has_two_commands():
    cmds = quick_start_commands()
    assert len(cmds) == 2, cmds
    assert "examples/mnist.py" in cmds[0] and cmds[0].startswith("pip install \".[examples]\"")
    assert "[test]" in cmds[1] and "torch==2.13.0" in cmds[1] and cmds[1].rstrip().endswith("pytest")


def test_readme_links_exist():
    for link in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", _read("README.md")):
        if "://" not in link:
            assert os.path.exists(os.path.join(ROOT, link)), link
    for doc in ("index.md", "architecture.md", "building.md", "benchmarks.md"):
        assert os.path.getsize(os.path.join(ROOT, "docs", doc)) > 200, doc


def test_ci_script_reads_the_readme_command():
    path = os.path.join(ROOT, ".ci", "run")
    assert os.access(path, os.X_OK)
    text = _read(".ci", "run")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert '"$rc" -eq 5' in text          # pytest's "no tests collected" is a failure
    awk = re.search(r"TEST_CMD=\$\((awk '[^']*' README\.md \| sed -n 2p)\)", text)
    assert awk, "the CI script no longer extracts the README command"
    if not _which("bash") or not _which("awk"):
        pytest.skip("no bash/awk")
    out = subprocess.run(["bash", "-c", awk.group(1)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == quick_start_commands()[1]


def _which(name):
    return any(os.access(os.path.join(d, name), os.X_OK) for d in os.environ.get("PATH", "").split(os.pathsep))


def test_asv_config():
    conf = json.loads(_read("asv_bench", "asv.conf.json"))
    assert conf["version"] == 1 and conf["repo"] == ".." and conf["benchmark_dir"] == "benchmarks"
    assert any("build --wheel" in c for c in conf["build_command"])
    assert any("{wheel_file}" in c for c in conf["install_command"])


@pytest.fixture
def bench():
    sys.path.insert(0, os.path.join(ROOT, "asv_bench"))
    try:
        import benchmarks
        yield benchmarks
    finally:
        sys.path.remove(os.path.join(ROOT, "asv_bench"))


def test_asv_suites_import_and_small_ones_run(bench):
    from benchmarks import bench_creation, bench_elementwise, bench_matmul, bench_reductions  # noqa: F401
    from benchmarks._common import require

    s = bench_elementwise.SmallAdd()
    s.setup()
    s.time_add_1()
    s.time_add_scalar_1()
    c = bench_creation.Small()
    for name in dir(c):
        if name.startswith("time_"):
            getattr(c, name)()
    with pytest.raises(NotImplementedError):
        require("no_such_op_anywhere")
    require("add", "Tensor.add")


def test_vs_torch_quick(torch, capsys):
    sys.path.insert(0, os.path.join(ROOT, "asv_bench"))
    try:
        import vs_torch
    finally:
        sys.path.remove(os.path.join(ROOT, "asv_bench"))
    import cytorch
    before = cytorch.get_num_threads()
    torch_before = torch.get_num_threads()
    try:
        vs_torch.main(["--quick", "--only", "1 element", "--threads", "1", "--min-time", "0.005"])
    finally:
        cytorch.set_num_threads(before)
        torch.set_num_threads(torch_before)
    out = capsys.readouterr().out
    row = [line for line in out.splitlines() if line.startswith("add, 1 element")]
    assert row and row[0].rstrip().endswith("x"), out
    assert vs_torch.measure(lambda: None, 2, 0.001) > 0


def test_demo_runs():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([ROOT] + [p for p in [env.get("PYTHONPATH")] if p])
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "demo.py")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "all results match NumPy" in out.stdout
