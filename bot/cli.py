"""``carebot run | worker | eval | chat | kb check | kb build``: a thin layer over the modules."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from bot.audit import configure_logging
from bot.config import ROOT, Settings, get_settings
from bot.content import load_content
from bot.dialogue import DialogueClient
from bot.evaluation import evaluate, format_report, load_cases
from bot.knowledge.documents import KNOWLEDGE_DIR, check_documents, load_documents
from bot.knowledge.embedder import shared_embedder
from bot.knowledge.index import build_index
from bot.knowledge.loader import load_knowledge
from bot.knowledge.scripted import load_intent_examples
from bot.llm.queue import AnswerQueue
from bot.llm.worker import lower_priority, make_worker
from bot.messages import InboundMessage
from bot.redis_client import connect_redis
from bot.router import Router
from bot.services import Stack

LOG_DIR = ROOT / ".carebot" / "logs"


@contextlib.contextmanager
def stack_for(settings: Settings, *, quiet: bool = False, workers: int = 0) -> Iterator[Settings]:
    """Use a running Rasa + Redis if there is one, else start the stack for this command."""
    if settings.redis_url and _rasa_ready(settings):
        yield settings
        return
    stack = Stack(settings, LOG_DIR, workers=workers)
    if not quiet:
        print(
            f"starting Redis, Rasa, the action server and {workers} answer worker(s) "
            f"(logs in {LOG_DIR}) …",
            file=sys.stderr,
            flush=True,
        )
    try:
        stack.start()
        yield settings.model_copy(update={"redis_url": stack.redis_url})
    finally:
        stack.stop()


def _rasa_ready(settings: Settings) -> bool:
    async def check() -> bool:
        client = DialogueClient(settings.rasa_url, 2.0)
        try:
            return await client.is_ready()
        finally:
            await client.aclose()

    return asyncio.run(check())


@contextlib.asynccontextmanager
async def open_router(settings: Settings) -> AsyncIterator[Router]:
    """A router wired to Redis and Rasa, as the API builds it."""
    assert settings.redis_url is not None
    redis = connect_redis(settings.redis_url)
    dialogue = DialogueClient(settings.rasa_url, settings.rasa_timeout_seconds)
    content = load_content(settings.data_dir)
    queue = AnswerQueue(redis, settings.answer_ttl_seconds)
    knowledge = await asyncio.to_thread(load_knowledge, settings, content, queue)
    try:
        yield Router(settings, content, redis, dialogue, knowledge)
    finally:
        await dialogue.aclose()
        await redis.aclose()


def cmd_run(settings: Settings) -> int:
    """Start Redis, Rasa, actions and the gateway; Ctrl-C stops them all."""
    import uvicorn

    from bot.app import create_app

    with stack_for(settings, workers=1) as ready:
        print(
            f"carebot is up: http://{ready.host}:{ready.port} (API docs at /docs); "
            "Ctrl-C stops everything",
            file=sys.stderr,
            flush=True,
        )
        uvicorn.run(
            create_app(ready),
            host=ready.host,
            port=ready.port,
            access_log=False,
            log_level="warning",
        )
    return 0


def cmd_eval(settings: Settings, path: Path, as_json: bool) -> int:
    """Score the router on a JSONL file of labelled cases."""
    cases = load_cases(path)

    async def run(ready: Settings) -> dict[str, object]:
        # one answer worker in this process, on the configured model
        assert ready.redis_url is not None
        redis = connect_redis(ready.redis_url)
        worker = await asyncio.to_thread(make_worker, ready, redis)
        stop = asyncio.Event()
        working = asyncio.create_task(worker.run(stop))
        try:
            async with open_router(ready) as router:
                return await evaluate(router, cases)
        finally:
            stop.set()
            await working
            await redis.aclose()

    with stack_for(settings, quiet=as_json) as ready:
        report = asyncio.run(run(ready))
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(format_report(cases, report))
    return 0


def cmd_chat(settings: Settings) -> int:
    """Talk to carebot in the terminal, through the same router as the API."""

    async def run(ready: Settings) -> None:
        session_id = f"chat-{uuid.uuid4().hex[:8]}"
        async with open_router(ready) as router:
            while True:
                try:
                    text = await asyncio.to_thread(input, "you> ")
                except EOFError:
                    break
                if not text.strip():
                    continue
                message = InboundMessage(
                    session_id=session_id, text=text, channel="api", message_id=uuid.uuid4().hex
                )
                outcome = (await router.handle(message)).outcome
                print(
                    f"  [{outcome.route.value}{' / ' + outcome.intent if outcome.intent else ''}]"
                )
                for reply in outcome.replies:
                    print(f"bot> {reply.text}")
                    for button in reply.buttons:
                        print(f"     [{button.title}] → {button.payload}")

    with stack_for(settings, workers=1) as ready:
        asyncio.run(run(ready))
    return 0


def cmd_worker(settings: Settings) -> int:
    """Answer knowledge questions from the Redis queue until SIGTERM or Ctrl-C."""
    if settings.redis_url is None:
        sys.exit("CAREBOT_REDIS_URL must be set for a worker")
    configure_logging(settings.log_level)
    lower_priority(settings.worker_nice)

    async def run(redis_url: str) -> None:
        redis = connect_redis(redis_url)
        worker = await asyncio.to_thread(make_worker, settings, redis)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await worker.run(stop)
        finally:
            await redis.aclose()

    asyncio.run(run(settings.redis_url))
    return 0


def cmd_kb_build(settings: Settings, quiet: bool) -> int:
    """Build the knowledge index (embeddings), or confirm the cached one is current."""
    from tqdm import tqdm

    embedder = shared_embedder()
    bar = tqdm(total=0, unit="text", desc="embedding", disable=quiet, leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    index, built = build_index(
        settings.knowledge_dir, settings.cache_dir, embedder, progress=progress
    )
    bar.close()
    # the router's intent examples (see bot/knowledge/scripted.py), cached alongside
    load_intent_examples(embedder, settings.cache_dir)
    state = "built" if built else "up to date (cached)"
    if built or not quiet:
        print(
            f"knowledge index {index.key} {state}: {len(index.passages)} passages, "
            f"{len(index.sentence_owner)} sentences"
        )
    return 0


def cmd_kb_check(directory: Path) -> int:
    """Validate the knowledge base; non-zero exit when any document would be refused."""
    documents, problems = load_documents(directory)
    problems += check_documents(documents, dt.date.today())
    for problem in problems:
        print(f"refused  {problem}")
    languages = ", ".join(
        f"{n} {k}" for k, n in sorted(Counter(d.meta.language for d in documents).items())
    )
    print(f"{len(documents)} documents ({languages}), {len(problems)} problems")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``carebot`` command."""
    parser = argparse.ArgumentParser(prog="carebot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start Redis, Rasa, actions and the gateway")
    p_eval = sub.add_parser("eval", help="score the router on labelled cases")
    p_eval.add_argument("file", type=Path)
    p_eval.add_argument("--json", action="store_true", help="print results and metrics as JSON")
    sub.add_parser("chat", help="talk to carebot in the terminal")
    p_kb = sub.add_parser("kb", help="knowledge base tools")
    kb_sub = p_kb.add_subparsers(dest="kb_command", required=True)
    p_check = kb_sub.add_parser("check", help="validate every document in knowledge/")
    p_check.add_argument("--dir", type=Path, default=KNOWLEDGE_DIR)
    p_build = kb_sub.add_parser("build", help="build the retrieval index (cached by content)")
    p_build.add_argument("--quiet", action="store_true", help="no progress bar; quiet if cached")
    sub.add_parser("worker", help="answer knowledge questions from the Redis queue")
    args = parser.parse_args(argv)
    if args.command == "kb" and args.kb_command == "check":
        return cmd_kb_check(args.dir)
    settings = get_settings()
    if args.command == "kb":
        return cmd_kb_build(settings, args.quiet)
    if args.command == "worker":
        return cmd_worker(settings)
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "eval":
        return cmd_eval(settings, args.file, args.json)
    return cmd_chat(settings)


if __name__ == "__main__":
    sys.exit(main())
