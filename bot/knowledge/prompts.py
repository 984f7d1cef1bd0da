"""Prompt templates, loaded by name from ``prompts/`` (no prompt text lives in code)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from langchain_core.messages import SystemMessage
from langchain_core.prompts import ChatPromptTemplate

from bot.config import ROOT

PROMPTS_DIR = ROOT / "prompts"


@cache
def prompt_text(name: str, directory: Path = PROMPTS_DIR) -> str:
    """The raw text of ``prompts/<name>``."""
    return (directory / name).read_text(encoding="utf-8").strip()


@cache
def chat_prompt(task: str) -> ChatPromptTemplate:
    """``<task>.system.txt`` (fixed, first: llama.cpp reuses its KV cache) + ``<task>.user.txt``.

    The system text is passed as a message, not a template, so its JSON
    examples need no brace escaping; the user text is a ``{placeholder}`` template.
    """
    return ChatPromptTemplate.from_messages(
        [
            SystemMessage(content=prompt_text(f"{task}.system.txt")),
            ("human", prompt_text(f"{task}.user.txt")),
        ]
    )
