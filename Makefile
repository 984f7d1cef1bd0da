# carebot: two commands. `make run` starts the bot; `make test` runs every test.
# Both set up what they need first (idempotent, cached by content: scripts/setup.py).
PYTHON ?= python3
VENV := .venv/bin

.PHONY: setup run test lint eval bench clean

setup:
	@$(PYTHON) scripts/setup.py

run: setup
	$(VENV)/carebot run

test: setup lint
	@$(PYTHON) scripts/setup.py browser
	$(VENV)/pytest

lint: setup
	$(VENV)/ruff check bot actions tests benchmarks scripts
	$(VENV)/ruff format --check bot actions tests benchmarks scripts
	$(VENV)/mypy

eval: setup
	$(VENV)/carebot eval tests/eval/core.jsonl
	$(VENV)/carebot eval tests/eval/knowledge.jsonl
	$(VENV)/carebot eval tests/eval/knowledge_holdout.jsonl

bench: setup
	$(VENV)/python -m benchmarks

clean:
	rm -rf .venv .venv-rasa models .carebot .pytest_cache .mypy_cache .ruff_cache
