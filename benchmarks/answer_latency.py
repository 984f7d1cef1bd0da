"""Knowledge answers: retrieval latency, API answer time against raw llama-cpp-python,
prompt size, answers per minute with 1 and 2 workers, and the model's memory.

The API/raw comparison runs in one process tree on the same machine, in the
same run, interleaved question by question: the API side is a real gateway,
Rasa and ``carebot worker`` on the default model; the raw side is the same
GGUF file loaded by ``llama_cpp.Llama`` here, given the very same chat
messages and grammar, so it generates the same tokens. Both keep llama.cpp's
prompt cache between questions, as a long-running worker does.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psutil
from llama_cpp import Llama
from llama_cpp.llama_grammar import LlamaGrammar
from redis.asyncio import Redis

from benchmarks.dialogue_latency import BenchStack, _percentile, start_bench_stack
from bot.config import ROOT, Settings
from bot.evaluation import load_cases
from bot.knowledge.answerer import extractive_prompt
from bot.knowledge.grounding import job_for
from bot.knowledge.loader import load_retriever
from bot.knowledge.retriever import Retriever
from bot.llm.queue import AnswerQueue
from bot.services import Process, redis_env, worker_env

KNOWLEDGE_SET = ROOT / "tests" / "eval" / "knowledge.jsonl"
# health questions Rasa routes to the knowledge route, each answerable
QUESTIONS = [
    "how many days does dengue fever usually last",
    "at what temperature is it called a fever",
    "how long can i keep ORS after mixing it",
    "what is the most paracetamol an adult can take in a day",
    "how many hours should i fast before a fasting blood sugar test",
    "how often should a newborn baby be fed",
    "what are the signs of dehydration in a small child",
    "should i finish the whole antibiotic course",
    "can antibiotics cure a cold",
    "when do malaria symptoms start after a mosquito bite",
]


def retrieval_latency(retriever: Retriever) -> dict[str, float]:
    """Per-question retrieval time over the public knowledge set (after a warm-up)."""
    cases = load_cases(KNOWLEDGE_SET)
    for case in cases[:10]:
        retriever.search(case.text, case.lang)
    times = []
    for case in cases:
        started = time.perf_counter()
        retriever.search(case.text, case.lang)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50": statistics.median(times),
        "p99": _percentile(times, 0.99),
        "n": float(len(times)),
    }


def _messages(retriever: Retriever, question: str) -> tuple[list[dict[str, str]], str]:
    """The worker's chat messages and grammar for a question."""
    found = retriever.search(question, "en")
    job = job_for(
        found,
        job_id="bench",
        session_id="bench",
        message_id="bench",
        channel="api",
        language="en",
        question=question,
        max_chars=1600,
        created_at=0.0,
    )
    prompt, grammar = extractive_prompt(job)
    roles = {"system": "system", "human": "user"}
    chat = [{"role": roles[m.type], "content": str(m.content)} for m in prompt]
    return chat, grammar


async def api_versus_raw(bench: BenchStack, retriever: Retriever) -> dict[str, Any]:
    """Answer time through POST /api/v1/messages vs the same prompt straight to llama.cpp."""
    settings = Settings()
    llama = Llama(
        model_path=str(settings.llm_model_path),
        n_ctx=settings.llm_context_tokens,
        n_batch=512,
        n_threads=os.cpu_count() or 2,
        verbose=False,
    )
    api_ms: list[float] = []
    raw_ms: list[float] = []
    prompt_tokens: list[int] = []
    generated: list[int] = []
    async with httpx.AsyncClient(base_url=bench.gateway_url, timeout=180) as http:
        for round_ in range(2):  # round 0 warms both sides' prompt caches
            for n, question in enumerate(QUESTIONS):
                started = time.perf_counter()
                response = await http.post(
                    "/api/v1/messages",
                    json={"session_id": f"bench-{round_}-{n}", "text": question},
                )
                elapsed = (time.perf_counter() - started) * 1000
                body = response.json()
                if response.status_code != 200 or not body["citations"]:
                    print(f"skipped (not a quoted answer): {question!r}", file=sys.stderr)
                    continue
                messages, gbnf = _messages(retriever, question)
                grammar = LlamaGrammar.from_string(gbnf, verbose=False)
                started = time.perf_counter()
                out: Any = llama.create_chat_completion(
                    messages=messages, max_tokens=24, temperature=0.0, grammar=grammar
                )
                raw = (time.perf_counter() - started) * 1000
                if round_:
                    api_ms.append(elapsed)
                    raw_ms.append(raw)
                    prompt_tokens.append(int(out["usage"]["prompt_tokens"]))
                    generated.append(int(out["usage"]["completion_tokens"]))
    return {
        "api_p50": statistics.median(api_ms),
        "raw_p50": statistics.median(raw_ms),
        "ratio_p50": statistics.median(api_ms) / statistics.median(raw_ms),
        "ratio_mean": sum(api_ms) / sum(raw_ms),
        "prompt_tokens": statistics.mean(prompt_tokens),
        "generated_tokens": statistics.mean(generated),
        "n": len(api_ms),
    }


async def answers_per_minute(
    bench: BenchStack, retriever: Retriever, workers: int, jobs: int = 12
) -> dict[str, float]:
    """Queue ``jobs`` answerable questions at once; time until ``workers`` answered them all."""
    settings = bench.settings
    threads = max(1, (os.cpu_count() or 2) // workers)
    env = {
        **os.environ,
        **redis_env(bench.stack.redis_url, settings),
        **worker_env(settings),
        "CAREBOT_LLM_THREADS": str(threads),
    }
    log_dir = Path(bench.stack.log_dir)
    started_workers = [
        Process(
            f"bench-worker-{n}",
            [sys.executable, "-m", "bot.cli", "worker"],
            env,
            log_dir / f"bench-worker-{workers}-{n}.log",
        )
        for n in range(workers)
    ]
    for process in started_workers:
        process.start()
    redis = Redis.from_url(bench.stack.redis_url)
    queue = AnswerQueue(redis, 3600)
    try:
        await asyncio.sleep(8)  # let every worker load its model before the clock starts
        ids = []
        started = time.perf_counter()
        for n in range(jobs):
            question = QUESTIONS[n % len(QUESTIONS)]
            job = job_for(
                retriever.search(question, "en"),
                job_id=uuid.uuid4().hex,
                session_id=f"tput-{workers}-{n}",
                message_id=f"m-{n}",
                channel="api",
                language="en",
                question=question,
                max_chars=1600,
                created_at=time.time(),
            )
            await queue.enqueue(job)
            ids.append(job.job_id)
        for job_id in ids:
            if await queue.wait(job_id, 600) is None:
                raise RuntimeError("an answer never came")
        elapsed = time.perf_counter() - started
        rss = max(
            psutil.Process(p.popen.pid).memory_info().rss / 2**20
            for p in started_workers
            if p.popen
        )
    finally:
        for process in started_workers:
            process.stop()
        await redis.aclose()
    return {"per_minute": jobs / elapsed * 60, "seconds": elapsed, "jobs": jobs, "rss": rss}


def knowledge_rows(log_dir: Path) -> list[tuple[str, str, str]]:
    """The knowledge rows of the bench table."""
    rows: list[tuple[str, str, str]] = []
    retriever = load_retriever(Settings())
    r = retrieval_latency(retriever)
    rows.append(
        (
            "retrieval (hybrid BM25 + MiniLM, answer decision) per question",
            f"p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms (n={r['n']:.0f})",
            "",
        )
    )
    bench = start_bench_stack(log_dir, workers=1)
    try:
        a = asyncio.run(api_versus_raw(bench, retriever))
        rows.append(
            (
                "knowledge answer via API (POST → quoted answer), default model",
                f"p50 {a['api_p50']:.0f} ms (n={a['n']})",
                "",
            )
        )
        rows.append(
            (
                "same prompt + grammar straight to llama-cpp-python",
                f"p50 {a['raw_p50']:.0f} ms, {a['generated_tokens']:.1f} tokens generated",
                "baseline",
            )
        )
        rows.append(
            (
                "API / raw answer-time ratio",
                f"p50 {a['ratio_p50']:.2f}, total {a['ratio_mean']:.2f}",
                "≤ 1.15",
            )
        )
        rows.append(("prompt tokens per answer", f"{a['prompt_tokens']:.0f} (mean)", "small"))
        bench.stack.stop_workers()
        for workers in (1, 2):
            t = asyncio.run(answers_per_minute(bench, retriever, workers))
            rows.append(
                (
                    f"answers per minute, {workers} worker{'s' if workers > 1 else ''}",
                    f"{t['per_minute']:.1f} ({t['jobs']:.0f} answers in {t['seconds']:.1f} s)",
                    "",
                )
            )
            if workers == 1:
                rows.append(("RSS: answer worker (model loaded)", f"{t['rss']:.0f} MiB", ""))
    finally:
        bench.stop()
    return rows
