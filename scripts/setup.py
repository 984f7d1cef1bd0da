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
                   changes (cached under the cache folder by content hash).

The cache folder is ``$CAREBOT_CACHE_DIR`` or ``~/.cache/carebot``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("CAREBOT_CACHE_DIR", Path.home() / ".cache" / "carebot"))
APP_VENV = ROOT / ".venv"
RASA_VENV = ROOT / ".venv-rasa"
APP_LOCK = ROOT / "requirements" / "app.lock"
RASA_LOCK = ROOT / "requirements" / "rasa.lock"
DIALOGUE = ROOT / "dialogue"
MODELS = ROOT / "models"


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


def setup_app_venv() -> None:
    """Create .venv and install the app with its pinned dependencies."""
    key = digest(ROOT / "pyproject.toml", APP_LOCK)
    stamp = APP_VENV / ".carebot-stamp"
    if stamp_matches(stamp, key):
        return
    started = time.monotonic()
    say("creating the app venv .venv (pinned in pyproject.toml)")
    if not (APP_VENV / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(APP_VENV)])
    pip = [str(APP_VENV / "bin" / "python"), "-m", "pip", "--disable-pip-version-check"]
    run([*pip, "install", "--progress-bar", "off", "-q", "-c", str(APP_LOCK), "-e", f"{ROOT}[dev]"])
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
    if RASA_VENV.is_symlink() and RASA_VENV.resolve() == target.resolve():
        return
    if RASA_VENV.is_symlink() or RASA_VENV.is_file():
        RASA_VENV.unlink()
    elif RASA_VENV.exists():
        shutil.rmtree(RASA_VENV)
    RASA_VENV.symlink_to(target)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "steps", nargs="*", metavar="STEP", help="app, rasa and/or model (default: all three)"
    )
    args = parser.parse_args()
    if unknown := set(args.steps) - {"app", "rasa", "model"}:
        parser.error(f"unknown steps: {sorted(unknown)}")
    args.steps = args.steps or ["app", "rasa", "model"]
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"carebot needs Python 3.11 to set up; this is {sys.version.split()[0]}")
    if "app" in args.steps:
        setup_app_venv()
    if "rasa" in args.steps or "model" in args.steps:
        setup_rasa_venv()
    if "model" in args.steps:
        train_rasa_model()


if __name__ == "__main__":
    main()
