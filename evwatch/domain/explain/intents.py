"""What a question asks, recognised by keywords in any of the five languages.

A question may be written in any supported language whatever language the answer is wanted in, so
every language's keywords are tried. Keywords are word beginnings, matched case- and
accent-insensitively ("anomal" finds anomaly, Anomalie, anomalía). A question that matches none is
answered with what the data can say instead of a guess.
"""

from __future__ import annotations

import re
import unicodedata

WHY = "why"
ANOMALIES = "anomalies"
WHEN = "when"
ENERGY = "energy"
REVENUE = "revenue"
STATION = "station"
ISSUES = "issues"
# The order answers are given in when a question asks several things.
INTENTS: tuple[str, ...] = (WHY, ANOMALIES, WHEN, ENERGY, REVENUE, STATION, ISSUES)

# Word beginnings per intent, written without accents (see `_fold`); en, nl, de, fr, pl.
KEYWORDS: dict[str, tuple[str, ...]] = {
    WHY: (
        *("why", "reason", "flag", "cause", "explain"),
        *("waarom", "reden", "oorzaak", "gemarkeerd", "verklaar"),
        *("warum", "weshalb", "wieso", "grund", "ursache", "markiert", "erklar"),
        *("pourquoi", "raison", "signale", "expliqu"),
        *("dlaczego", "czemu", "powod", "przyczyn", "oznaczon", "wyjasni"),
    ),
    ANOMALIES: (
        *("anomal", "finding", "categor", "wrong", "problem", "fault"),
        *("afwijk", "fout", "bevinding"),
        *("auffallig", "fehler", "befund", "kategorie"),
        *("defaut", "erreur", "categori"),
        *("usterk", "blad", "nieprawidlow", "kategori"),
    ),
    WHEN: (
        *("when", "what time", "how long", "duration"),
        *("wanneer", "hoe laat", "hoe lang", "tijdstip"),
        *("wann", "uhrzeit", "zeitpunkt", "wie lange", "dauer"),
        *("quand", "quelle heure", "combien de temps", "duree"),
        *("kiedy", "o ktorej", "godzin", "jak dlugo", "czas trwania"),
    ),
    ENERGY: (
        *("energy", "kwh", "deliver", "power", "meter"),
        *("energie", "geleverd", "vermogen", "meterstand"),
        *("geliefert", "leistung", "strom", "zahler"),
        *("livre", "fourni", "puissance", "compteur"),
        *("energi", "dostarcz", "moc", "licznik"),
    ),
    REVENUE: (
        *("revenue", "money", "bill", "cost", "price", "tariff", "paid", "income"),
        *("omzet", "opbrengst", "geld", "factur", "kosten", "prijs", "tarief"),
        *("umsatz", "erlos", "rechnung", "abrechn", "preis", "tarif", "einnahm"),
        *("chiffre d'affaires", "argent", "cout", "prix", "recette"),
        *("przychod", "pieniad", "rachun", "faktur", "koszt", "cena", "ceny", "taryf"),
    ),
    STATION: (
        *("station", "charger", "history", "other session"),
        *("laadpaal", "laadpunt", "geschiedenis", "historie"),
        *("ladesaule", "ladepunkt", "verlauf", "geschichte"),
        *("borne", "historique"),
        *("stacj", "ladowark", "histori"),
    ),
    ISSUES: (
        *("issue", "ticket", "assign"),
        *("melding", "toegewezen"),
        *("vorgang", "vorgange", "zugewiesen", "meldung"),
        *("dossier", "assigne"),
        *("zgloszen", "przypisan"),
    ),
}

_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "’": "'"})


def _fold(text: str) -> str:
    """Lower case without accents (ß → ss, ł → l), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


_PATTERNS = {
    intent: re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + ")")
    for intent, keywords in KEYWORDS.items()
}


def intents_of(question: str) -> tuple[str, ...]:
    """The intents a question matches, in `INTENTS` order; () when it matches none."""
    folded = _fold(question)
    return tuple(intent for intent in INTENTS if _PATTERNS[intent].search(folded))
