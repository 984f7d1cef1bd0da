"""Whether a message asks, in so many words, for a person.

A patient who asks for a person ("put me through to the pharmacy", "can I
speak to a counsellor", "nurse se baat karao", "मुझे फोन कर दीजिए") gets one,
whatever NLU reads: the router sends such a message to Rasa as the
``talk_to_human`` intent. Rasa's NLU still reads everything else, and its
``talk_to_human`` also catches questions about staff that the knowledge base
answers ("do the staff speak Marathi?"), which the router gives to the
knowledge base when a vetted sentence resembles them closely enough
(bot/knowledge/service.py). Asking not to be called ("don't call me") is not
a request.
"""

from __future__ import annotations

import re

_REQUEST = re.compile(
    # English: "talk to a person", "can I speak with", "I'd prefer speaking to",
    # "connect me", "put me through", "call me back", "a real human"
    r"^(?:please\s+|pls\s+|plz\s+)?(?:talk|speak|chat)\s+(?:to|with)\b|"
    r"\b(?:i|we|me|us)(?:'d|'m)?\s+(?:[a-z']+\s+){0,3}?(?:talk|speak|chat)(?:ing)?\s+(?:to|with)\b|"
    r"\b(?:connect|transfer|put)\s+me\b|\bconnect\s+(?:to|with)\s+(?:the\s+|a\s+)?"
    r"(?:staff|person|human|agent|someone|somebody)\b|"
    r"(?<!don't )(?<!dont )(?<!not )(?<!never )(?<!to )\b(?:call|phone|ring)\s+(?:me|us)\b|"
    r"\bcall\s+(?:me\s+)?back\b|"
    r"\b(?:real|actual)\s+(?:person|human)\b|\bhuman\s+being\b|\bgive\s+me\s+a\s+human\b|"
    r"\b(?:agent|operator)\s+(?:pls|plz|please)\b|"
    # Hinglish: "receptionist se baat karao", "mujhe call karo", "connect karo"
    r"\bbaat\s+(?:karao|karwao|karwa|kara|krao|krwao|karni|karna|kare|ho\s+sakti)\b|"
    r"\b(?:call|phone)\s+(?:karo|kar\s+do|kar\s+dena|kare|karna)\b|\bconnect\s+karo\b|"
    r"\binsaan\b|"
    # Hindi: "बात कराइए", "बात करनी है", "फोन कर दीजिए", "जोड़ दीजिए", "इंसान"
    r"बात\s*(?:करा|करवा|करनी|करना|कर\s*ले|हो\s*सकती)|(?:फोन|फ़ोन|कॉल)\s*(?:कर|करे|करें)|"
    r"जोड़\s*(?:दीजिए|दो|दें)|इंसान",
    re.IGNORECASE,
)


def asks_for_a_person(text: str) -> bool:
    """True when the message asks to talk to, or be called by, a person."""
    return bool(_REQUEST.search(" ".join(text.split())))
