"""The templates' sentences in every language of `languages.LANGUAGES`, one module each."""

from __future__ import annotations

from evwatch.domain.explain.phrasebook import Phrases
from evwatch.domain.explain.phrases.de import PHRASES as DE
from evwatch.domain.explain.phrases.en import PHRASES as EN
from evwatch.domain.explain.phrases.fr import PHRASES as FR
from evwatch.domain.explain.phrases.nl import PHRASES as NL
from evwatch.domain.explain.phrases.pl import PHRASES as PL

PHRASES: dict[str, Phrases] = {"en": EN, "nl": NL, "de": DE, "fr": FR, "pl": PL}

__all__ = ["EN", "PHRASES", "Phrases"]
