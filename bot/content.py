"""What carebot says: replies, hospital facts and locale numbers, loaded from data/.

A hospital edits ``data/replies.yml``, ``data/hospital.yml`` and
``data/locales.yml`` without touching Python. They are validated when first
loaded, so a missing translation or an unknown ``{placeholder}`` stops
start-up with the file and key named, instead of reaching a patient.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from bot.messages import Button, Language, Reply

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LANGUAGES: tuple[Language, ...] = get_args(Language)
T = TypeVar("T", bound=BaseModel)


class ContentError(ValueError):
    """A data file is missing something carebot needs to talk to patients."""


class Translated(BaseModel):
    en: str
    hi: str
    hinglish: str

    def get(self, language: Language) -> str:
        return str(getattr(self, language))


class Department(Translated):
    aliases: list[str] = []


class Hospital(BaseModel):
    name: str
    short_name: str
    phone: str
    address: Translated
    directions: Translated
    opd_hours: Translated
    visiting_hours: Translated
    test_results: Translated
    billing: Translated
    departments: dict[str, Department]


class Locale(BaseModel):
    emergency_number: str
    crisis_number: str
    call_emergency: Translated
    call_crisis: Translated


class ReplyTemplate(Translated):
    buttons: list[str] = []


class ButtonTemplate(Translated):
    payload: str


class Catalogue(BaseModel):
    replies: dict[str, ReplyTemplate]
    labels: dict[str, Any]
    buttons: dict[str, ButtonTemplate]


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: {exc}") from exc


def _parse(model: type[T], path: Path, data: Any) -> T:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(f"{path}: {exc}") from exc


class Content:
    """All patient-facing text and facts of one deployment, validated."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.hospital = _parse(
            Hospital, data_dir / "hospital.yml", _read_yaml(data_dir / "hospital.yml")
        )
        raw_locales = _read_yaml(data_dir / "locales.yml")
        self.locales = {
            code: _parse(Locale, data_dir / "locales.yml", value)
            for code, value in (raw_locales or {}).items()
        }
        self.catalogue = _parse(
            Catalogue, data_dir / "replies.yml", _read_yaml(data_dir / "replies.yml")
        )
        self._check_templates(data_dir / "replies.yml")

    def _facts(self, language: Language, locale: str) -> dict[str, str]:
        h = self.hospital
        loc = self.locale(locale)
        return {
            "hospital_name": h.name,
            "short_name": h.short_name,
            "phone": h.phone,
            "address": h.address.get(language),
            "directions": h.directions.get(language),
            "opd_hours": h.opd_hours.get(language),
            "visiting_hours": h.visiting_hours.get(language),
            "test_results": h.test_results.get(language),
            "billing": h.billing.get(language),
            "emergency_number": loc.emergency_number,
            "crisis_number": loc.crisis_number,
            "call_emergency": loc.call_emergency.get(language),
            "call_crisis": loc.call_crisis.get(language),
        }

    def _check_templates(self, path: Path) -> None:
        known = set(self._facts("en", next(iter(self.locales)))) | {
            "summary",
            "max_chars",
            "title",
            "answer",
        }
        for key, template in self.catalogue.replies.items():
            for language in LANGUAGES:
                fields = {f for _, f, _, _ in string.Formatter().parse(template.get(language)) if f}
                if unknown := fields - known:
                    raise ContentError(f"{path}: reply {key!r} ({language}) uses {sorted(unknown)}")
            for button in template.buttons:
                if button not in self.catalogue.buttons:
                    raise ContentError(f"{path}: reply {key!r} names unknown button {button!r}")

    def locale(self, code: str) -> Locale:
        """Return the emergency and crisis numbers of a locale code such as ``IN``."""
        try:
            return self.locales[code]
        except KeyError:
            raise ContentError(f"unknown locale {code!r}; known: {sorted(self.locales)}") from None

    def reply(self, key: str, language: Language, locale: str, **extra: str) -> Reply:
        """Render the reply ``key`` in ``language`` with the hospital's facts filled in."""
        template = self.catalogue.replies[key]
        text = template.get(language).format_map({**self._facts(language, locale), **extra})
        return Reply(text=text, buttons=tuple(self.button(b, language) for b in template.buttons))

    def button(self, key: str, language: Language) -> Button:
        """Render one quick-reply button from the catalogue."""
        b = self.catalogue.buttons[key]
        return Button(title=b.get(language), payload=b.payload)

    def department_buttons(self, language: Language) -> tuple[Button, ...]:
        """One button per department, whose payload is the department's name."""
        return tuple(
            Button(title=d.get(language), payload=d.en) for d in self.hospital.departments.values()
        )

    def label(self, slot: str, language: Language) -> str:
        """The summary label of a request field, e.g. ``department``."""
        return str(self.catalogue.labels[slot][language])

    def kind_label(self, kind: str, language: Language) -> str:
        """The summary label of a request kind, e.g. ``book_appointment``."""
        return str(self.catalogue.labels["kind"][kind][language])


@cache
def load_content(data_dir: Path = DATA_DIR) -> Content:
    """Load and validate the deployment's content once per process."""
    return Content(data_dir)
