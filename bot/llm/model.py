"""The local model: a GGUF file run by llama-cpp-python through LangChain's ChatLlamaCpp.

One model per process (a worker). Calls are serialised with a lock because a
llama.cpp context is not thread-safe, and they run in a thread so the
worker's event loop stays responsive.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from llama_cpp.llama_grammar import LlamaGrammar

from bot.llm.community import ChatLlamaCpp


@dataclass(frozen=True, slots=True)
class Generation:
    text: str
    prompt_tokens: int
    generated_tokens: int
    seconds: float


@cache
def _grammar(text: str) -> LlamaGrammar:
    return LlamaGrammar.from_string(text, verbose=False)


class LocalModel:
    """A chat model on a GGUF file; temperature 0 so answers are reproducible."""

    def __init__(self, path: Path, *, n_ctx: int = 2048, threads: int | None = None) -> None:
        if not path.is_file():
            raise FileNotFoundError(
                f"no GGUF model at {path}: run `make setup` or set CAREBOT_LLM_MODEL_PATH"
            )
        self.path = path
        self.chat = ChatLlamaCpp(
            model_path=str(path),
            n_ctx=n_ctx,
            n_batch=512,
            n_threads=threads or max(1, (os.cpu_count() or 2)),
            temperature=0.0,
            max_tokens=256,
            verbose=False,
        )
        self._lock = threading.Lock()

    @property
    def llama(self):  # type: ignore[no-untyped-def]
        """The underlying ``llama_cpp.Llama`` (benchmarks compare against it directly)."""
        return self.chat.client

    def count_tokens(self, messages: list[BaseMessage]) -> int:
        """Prompt tokens of a chat, as the model's own tokenizer counts them."""
        text = "".join(str(m.content) for m in messages)
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=True)) + 4 * len(messages)

    def generate(
        self, messages: list[BaseMessage], *, max_tokens: int, grammar: str | None = None
    ) -> Generation:
        """One completion, optionally constrained by a GBNF grammar."""
        extra: dict[str, Any] = {"grammar": _grammar(grammar)} if grammar else {}
        with self._lock:
            started = time.perf_counter()
            out = self.chat.invoke(messages, max_tokens=max_tokens, **extra)
            seconds = time.perf_counter() - started
        text = str(out.content)
        return Generation(
            text=text,
            prompt_tokens=self.count_tokens(messages),
            generated_tokens=len(self.llama.tokenize(text.encode("utf-8"), add_bos=False)),
            seconds=seconds,
        )

    def stream(self, messages: list[BaseMessage], *, max_tokens: int) -> Iterator[str]:
        """Tokens as they are generated (abstractive mode)."""
        with self._lock:
            for chunk in self.chat.stream(messages, max_tokens=max_tokens):
                if chunk.content:
                    yield str(chunk.content)
