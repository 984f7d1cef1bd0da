"""Per-message latency of safety triage over a few thousand realistic messages.

Run ``python benchmarks/triage_latency.py``; a bench table calls
:func:`measure_triage_latency`. The messages mix English, Hindi and Hinglish,
urgent and routine, short SMS and longer web-chat turns, generated
deterministically from templates so every run measures the same work.
Target: p99 <= 1 ms on one core.
"""

from __future__ import annotations

import random
import statistics
import time

from bot.safety.triage import default_triage

SEED = 20240611
MESSAGES = 3000
WARMUP = 200

OPENERS = [
    "",
    "hi, ",
    "hello doctor ",
    "good morning. ",
    "namaste, ",
    "नमस्ते, ",
    "sir pls help ",
    "ji ",
]
ROUTINE = [
    "book appointment with dr sharma for tomorrow",
    "what are the visiting hours on sunday?",
    "can I get my blood test report",
    "need a refill of my bp tablets",
    "how much does a full body checkup cost",
    "is the pharmacy open after 8pm",
    "mujhe kal ka appointment chahiye",
    "report kab tak milegi bhaiya",
    "doctor sahab kitne baje aayenge",
    "bill ka payment online ho sakta hai kya",
    "मुझे अपॉइंटमेंट चाहिए",
    "रिपोर्ट कब मिलेगी",
    "डॉक्टर साहब कब बैठते हैं",
    "what are the signs of a stroke?",
    "had a heart attack in 2019, need my follow-up",
    "no chest pain, just a cold and cough since 2 days",
    "this queue is killing me, how long",
    "mild headache since morning, can I take paracetamol",
    "seene me dard nahi hai bas khansi hai",
    "सीने में दर्द नहीं है, बस जुकाम है",
    "stroke ke lakshan kya hain",
]
URGENT = [
    "my father has chest pain and is sweating a lot",
    "cant breth properly",
    "my mom's face is drooping and her speech is slurred",
    "bleeding wont stop from his leg",
    "baby is not breathing",
    "he collapsed and is unconcious",
    "my son is having a seizure",
    "child swallowed tablets",
    "I'm pregnant and bleeding heavily",
    "I want to end my life",
    "took all my pills to end it",
    "seene me bahut tez dard ho raha hai",
    "saans nahi aa rahi",
    "papa behosh ho gaye",
    "dora pad raha hai",
    "khoon nahi ruk raha",
    "mar jana chahta hu",
    "सीने में दर्द हो रहा है",
    "सांस नहीं आ रही",
    "मैं मरना चाहता हूं",
    "बच्चे ने दवाई की गोलियां खा लीं",
]
TAILS = ["", " please", " pls help fast", "!!", " what should I do?", " jaldi batao", " 🙏"]
PADDING = [
    "",
    " we are at home and the nearest hospital is far away, my brother is with us.",
    " hum ghar pe hain, bhaiya gaadi la rahe hain, kya karein abhi tak.",
]


def realistic_messages(count: int = MESSAGES, seed: int = SEED) -> list[str]:
    """Return ``count`` deterministic messages: about a third urgent, mixed languages."""
    rng = random.Random(seed)
    messages = []
    for _ in range(count):
        body = rng.choice(URGENT) if rng.random() < 0.35 else rng.choice(ROUTINE)
        messages.append(rng.choice(OPENERS) + body + rng.choice(TAILS) + rng.choice(PADDING))
    return messages


def measure_triage_latency(count: int = MESSAGES) -> dict[str, float]:
    """Time :meth:`Triage.triage` per message.

    Args:
        count: How many messages to time.

    Returns:
        ``p50_us``, ``p90_us``, ``p99_us``, ``max_us`` and ``mean_us`` in microseconds,
        plus ``messages`` and ``urgent_share``.
    """
    engine = default_triage()  # lexicon loading is start-up cost, not per message
    messages = realistic_messages(count)
    for text in messages[:WARMUP]:
        engine.triage(text)
    timings: list[float] = []
    urgent = 0
    for text in messages:
        start = time.perf_counter_ns()
        result = engine.triage(text)
        timings.append((time.perf_counter_ns() - start) / 1000)
        urgent += result.is_urgent
    timings.sort()

    def percentile(p: float) -> float:
        return timings[min(len(timings) - 1, int(p * len(timings)))]

    return {
        "messages": float(len(timings)),
        "urgent_share": urgent / len(timings),
        "p50_us": percentile(0.50),
        "p90_us": percentile(0.90),
        "p99_us": percentile(0.99),
        "max_us": timings[-1],
        "mean_us": statistics.fmean(timings),
    }


if __name__ == "__main__":
    stats = measure_triage_latency()
    print(
        f"triage latency over {int(stats['messages'])} messages "
        f"({stats['urgent_share']:.0%} urgent)"
    )
    for key in ("p50_us", "p90_us", "p99_us", "max_us", "mean_us"):
        print(f"  {key[:-3]:>4}: {stats[key]:8.1f} µs")
