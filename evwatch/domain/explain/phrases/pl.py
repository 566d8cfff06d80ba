"""Polish."""

from __future__ import annotations

from evwatch.domain.explain.formatting import NumberStyle
from evwatch.domain.explain.phrasebook import Phrases

PHRASES = Phrases(
    numbers=NumberStyle(decimal=",", percent="{}%"),
    session="Sesja {session} na stacji {station}",
    session_connector="Sesja {session} na stacji {station} (złącze {connector})",
    flagged="{subject} została oznaczona przez {model} ({analysed}) jako nietypowa: "
    "wynik anomalii {score}, pewność {confidence}.",
    clean="{subject} została przeanalizowana przez {model} ({analysed}) i nie znaleziono niczego nietypowego "
    "(wynik anomalii {score}).",
    incident="Liczy się jako incydent.",
    recurring="Ten sam rodzaj anomalii wystąpił niedawno na tym złączu.",
    too_few="{subject} nie została jeszcze przeanalizowana: ma {count} odczytów licznika, a analiza wymaga "
    "co najmniej {minimum}.",
    pending="{subject} nie została jeszcze przeanalizowana: analiza oczekuje, ponieważ usługa wnioskowania była "
    "niedostępna, a evwatch dokończy ją automatycznie.",
    failed="{subject} nie ma analizy: ostatnia próba nie powiodła się na danych sesji.",
    category="{label} od {start} do {end} (wynik {score}, pewność {confidence}).",
    span="{label}: od {start} do {end}.",
    register_around="Licznik wskazywał {before} kWh ({before_at}) i {after} kWh ({after_at}).",
    register_before="Wcześniej licznik wskazywał {kwh} kWh ({at}).",
    register_after="Później licznik wskazywał {kwh} kWh ({at}).",
    peak_during="Moc osiągnęła w tym czasie szczyt {kw} kW.",
    lost_during="Szacunkowo {kwh} kWh nie zostało tu zafakturowane.",
    no_findings="Nie znaleziono żadnych anomalii.",
    energy="Sesja dostarczyła {kwh} kWh, z odczytami od {first} do {last}.",
    energy_unknown="Sesja nie ma odczytów licznika energii, więc dostarczona energia jest nieznana.",
    peak="Moc osiągnęła szczyt {kw} kW.",
    revenue="Przy taryfie stacji {rate} {currency}/kWh daje to {amount} {currency}.",
    at_risk="Jej anomalie dotyczą rozliczeń, więc cały rachunek jest wątpliwy.",
    lost="Szacunkowo {kwh} kWh ({amount} {currency}) dostarczono, ale nie zafakturowano.",
    lost_energy="Szacunkowo {kwh} kWh dostarczono, ale nie zafakturowano.",
    bill_ok="Nic z tego, co znaleziono, nie podważa rachunku.",
    no_tariff="Dla stacji nie zapisano taryfy, więc wpływ na przychody jest nieznany.",
    no_energy_revenue="Bez odczytów licznika energii nie da się obliczyć wpływu na przychody.",
    station_sessions="Na stacji {station} nietypowych było {anomalous} z {total} zarejestrowanych sesji.",
    station_unknown="Liczby sesji dla stacji {station} nie są jeszcze dostępne.",
    shade="SHADE oznaczył {anomalous} z {days} ostatnich dni stacji.",
    shade_latest="Ostatni oznaczony dzień to {day} ({kind}).",
    shade_none="SHADE nie ocenił jeszcze tej stacji.",
    issues="Otwarte zgłoszenia: {items}.",
    issue="{issue} ({category}, {status}, {assignee})",
    assigned="przypisane do {who}",
    unassigned="nieprzypisane",
    no_issues="Z tą sesją nie są powiązane żadne otwarte zgłoszenia.",
    readings_span="Jej odczyty obejmują okres od {first} do {last}.",
    created="Sesję utworzono {created}.",
    analysed="Przeanalizowano ją {analysed}.",
    no_readings="Sesja nie ma jeszcze odczytów licznika.",
    not_in_data="Dane, które evwatch ma o tej sesji, nie odpowiadają na to pytanie. Można z nich powiedzieć, "
    "dlaczego sesja została oznaczona, jakie anomalie znaleziono i kiedy, ile energii dostarczono, jaki jest "
    "wpływ na przychody, jak wyglądała ostatnio historia stacji i jakie zgłoszenia są otwarte.",
    categories={
        "KWH_DECREASE": ("Spadek licznika energii", "Licznik energii cofnął się."),
        "KWH_JUMP": (
            "Skok licznika energii",
            "Licznik energii skoczył o więcej, niż ładowarka mogła dostarczyć w tym czasie.",
        ),
        "ENERGY_PIT": ("Dołek licznika energii", "Licznik energii spadł i wrócił; odczyty w dołku są błędne."),
        "ENERGY_STALL": ("Zatrzymanie licznika energii", "Moc płynęła, ale licznik energii stał w miejscu."),
        "PHANTOM_ENERGY": ("Energia fantomowa", "Licznik energii rósł, choć nie płynęła żadna moc."),
        "POWER_ENERGY_MISMATCH": (
            "Niezgodność mocy i energii",
            "Licznik energii i scałkowana moc nie zgadzają się.",
        ),
        "POWER_SPIKE": ("Skok mocy", "Moc przekroczyła to, na co pozwalają ładowarka i pojazd."),
        "CHARGING_INTERRUPTION": ("Przerwa w ładowaniu", "Ładowanie zatrzymało się i wznowiło w trakcie sesji."),
        "POWER_DERATING": (
            "Ograniczenie mocy",
            "Moc spadła znacznie poniżej tego, na co pozwalają ładowarka, pojazd i stan naładowania.",
        ),
        "SOC_DROP": ("Spadek stanu naładowania", "Stan naładowania pojazdu spadł podczas ładowania."),
        "SOC_JUMP": (
            "Skok stanu naładowania",
            "Stan naładowania pojazdu skoczył bardziej, niż wyjaśnia to dostarczona energia.",
        ),
        "ZERO_ENERGY": ("Brak energii", "Sesja nie dostarczyła energii."),
        "DATA_GAP": ("Luka w danych", "Brakuje odczytów dla części sesji."),
    },
    station_types={
        "energy_drop": "spadek energii",
        "energy_surge": "wzrost energii",
        "connector_outage": "awaria złącza",
        "idle_consumption": "pobór w spoczynku",
        "meter_mismatch": "niezgodność licznika",
        "": "rodzaj nieokreślony",
    },
)
