"""``carebot run | eval | chat | kb check``: a thin layer over the modules that do the work."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from bot.config import ROOT, Settings, get_settings
from bot.content import load_content
from bot.dialogue import DialogueClient
from bot.evaluation import evaluate, format_report, load_cases
from bot.knowledge.documents import KNOWLEDGE_DIR, check_documents, load_documents
from bot.messages import InboundMessage
from bot.redis_client import connect_redis
from bot.router import Router
from bot.services import Stack

LOG_DIR = ROOT / ".carebot" / "logs"


@contextlib.contextmanager
def stack_for(settings: Settings, *, quiet: bool = False) -> Iterator[Settings]:
    """Use a running Rasa + Redis if there is one, else start the stack for this command."""
    if settings.redis_url and _rasa_ready(settings):
        yield settings
        return
    stack = Stack(settings, LOG_DIR)
    if not quiet:
        print(
            f"starting Redis, Rasa and the action server (logs in {LOG_DIR}) …",
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
    try:
        yield Router(settings, load_content(settings.data_dir), redis, dialogue)
    finally:
        await dialogue.aclose()
        await redis.aclose()


def cmd_run(settings: Settings) -> int:
    """Start Redis, Rasa, actions and the gateway; Ctrl-C stops them all."""
    import uvicorn

    from bot.app import create_app

    with stack_for(settings) as ready:
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
        async with open_router(ready) as router:
            return await evaluate(router, cases)

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

    with stack_for(settings) as ready:
        asyncio.run(run(ready))
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
    args = parser.parse_args(argv)
    if args.command == "kb":
        return cmd_kb_check(args.dir)
    settings = get_settings()
    if args.command == "run":
        return cmd_run(settings)
    if args.command == "eval":
        return cmd_eval(settings, args.file, args.json)
    return cmd_chat(settings)


if __name__ == "__main__":
    sys.exit(main())
