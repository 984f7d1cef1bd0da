"""The one door to ``langchain-community``: its BM25 retriever and llama.cpp chat model.

langchain-community warns on import that it is being sunset. Keeping every
use behind this module means one place to change when its parts move to
standalone packages, and one narrow place to silence that warning.
"""

from __future__ import annotations

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*langchain-community.*sunset", category=Warning)
    from langchain_community.chat_models import ChatLlamaCpp
    from langchain_community.retrievers import BM25Retriever

__all__ = ["BM25Retriever", "ChatLlamaCpp"]
