"""German."""

from __future__ import annotations

from evwatch.domain.explain.formatting import NumberStyle
from evwatch.domain.explain.phrasebook import Phrases

PHRASES = Phrases(
    numbers=NumberStyle(decimal=",", percent="{} %"),
    session="Ladevorgang {session} an Station {station}",
    session_connector="Ladevorgang {session} an Station {station} (Anschluss {connector})",
    flagged="{subject} wurde von {model} am {analysed} als auffällig markiert: "
    "Anomaliewert {score}, Konfidenz {confidence}.",
    clean="{subject} wurde von {model} am {analysed} analysiert, ohne Auffälligkeiten (Anomaliewert {score}).",
    incident="Er gilt als Vorfall.",
    recurring="Dieselbe Art von Anomalie trat an diesem Anschluss kürzlich schon auf.",
    too_few="{subject} ist noch nicht analysiert: Er hat {count} Messwerte, die Analyse braucht mindestens {minimum}.",
    pending="{subject} ist noch nicht analysiert: Die Analyse steht aus, weil der Inferenzdienst nicht erreichbar "
    "war; evwatch holt sie automatisch nach.",
    failed="{subject} hat keine Analyse: Der letzte Versuch ist an den Daten des Ladevorgangs gescheitert.",
    category="{label} von {start} bis {end} (Wert {score}, Konfidenz {confidence}).",
    span="{label}: {start} bis {end}.",
    register_around="Der Zähler stand bei {before} kWh ({before_at}) und bei {after} kWh ({after_at}).",
    register_before="Davor stand der Zähler bei {kwh} kWh ({at}).",
    register_after="Danach stand der Zähler bei {kwh} kWh ({at}).",
    peak_during="Die Leistung erreichte dabei höchstens {kw} kW.",
    lost_during="Geschätzt {kwh} kWh wurden hier nicht abgerechnet.",
    no_findings="Es wurden keine Anomalien gefunden.",
    energy="Der Ladevorgang lieferte {kwh} kWh, mit Messwerten von {first} bis {last}.",
    energy_unknown="Der Ladevorgang hat keine Zählerstände, daher ist die gelieferte Energie unbekannt.",
    peak="Die Leistung erreichte höchstens {kw} kW.",
    revenue="Zum Tarif der Station von {rate} {currency}/kWh sind das {amount} {currency}.",
    at_risk="Die Anomalien betreffen die Abrechnung, daher ist die ganze Rechnung fraglich.",
    lost="Geschätzt {kwh} kWh ({amount} {currency}) wurden geliefert, aber nicht abgerechnet.",
    lost_energy="Geschätzt {kwh} kWh wurden geliefert, aber nicht abgerechnet.",
    bill_ok="Nichts von dem Gefundenen stellt die Rechnung in Frage.",
    no_tariff="Für die Station ist kein Tarif hinterlegt, daher ist die Auswirkung auf den Umsatz unbekannt.",
    no_energy_revenue="Ohne Zählerstände lässt sich die Auswirkung auf den Umsatz nicht berechnen.",
    station_sessions="An Station {station} waren {anomalous} von {total} erfassten Ladevorgängen auffällig.",
    station_unknown="Für Station {station} liegen noch keine Zahlen zu Ladevorgängen vor.",
    shade="SHADE markierte {anomalous} der {days} jüngsten Stationstage.",
    shade_latest="Der jüngste markierte Tag ist der {day} ({kind}).",
    shade_none="SHADE hat diese Station noch nicht bewertet.",
    issues="Offene Vorgänge: {items}.",
    issue="{issue} ({category}, {status}, {assignee})",
    assigned="zugewiesen an {who}",
    unassigned="nicht zugewiesen",
    no_issues="Mit diesem Ladevorgang sind keine offenen Vorgänge verknüpft.",
    readings_span="Seine Messwerte reichen von {first} bis {last}.",
    created="Der Ladevorgang wurde am {created} angelegt.",
    analysed="Er wurde am {analysed} analysiert.",
    no_readings="Der Ladevorgang hat noch keine Messwerte.",
    not_in_data="Die Daten, die evwatch zu diesem Ladevorgang hat, beantworten diese Frage nicht. Beantworten "
    "lässt sich, warum der Ladevorgang markiert wurde, welche Anomalien wann gefunden wurden, wie viel Energie "
    "geliefert wurde, wie sich das auf den Umsatz auswirkt, wie es der Station zuletzt ging und welche Vorgänge "
    "offen sind.",
    categories={
        "KWH_DECREASE": ("Rückgang des Energiezählers", "Der Energiezähler lief rückwärts."),
        "KWH_JUMP": (
            "Sprung des Energiezählers",
            "Der Energiezähler sprang um mehr, als das Ladegerät in der Zeit liefern konnte.",
        ),
        "ENERGY_PIT": (
            "Einbruch des Energiezählers",
            "Der Energiezähler sank kurz ab und erholte sich; die Werte im Einbruch sind falsch.",
        ),
        "ENERGY_STALL": ("Stillstand des Energiezählers", "Es floss Leistung, aber der Energiezähler stand still."),
        "PHANTOM_ENERGY": ("Phantomenergie", "Der Energiezähler stieg, während keine Leistung floss."),
        "POWER_ENERGY_MISMATCH": (
            "Abweichung zwischen Leistung und Energie",
            "Energiezähler und integrierte Leistung stimmen nicht überein.",
        ),
        "POWER_SPIKE": ("Leistungsspitze", "Die Leistung überstieg, was Ladegerät und Fahrzeug zulassen."),
        "CHARGING_INTERRUPTION": (
            "Ladeunterbrechung",
            "Das Laden stoppte und setzte innerhalb des Ladevorgangs wieder ein.",
        ),
        "POWER_DERATING": (
            "Leistungsreduzierung",
            "Die Leistung lag weit unter dem, was Ladegerät, Fahrzeug und Ladestand zulassen.",
        ),
        "SOC_DROP": ("Abfall des Ladestands", "Der Ladestand des Fahrzeugs sank während des Ladens."),
        "SOC_JUMP": (
            "Sprung des Ladestands",
            "Der Ladestand des Fahrzeugs sprang um mehr, als die gelieferte Energie erklärt.",
        ),
        "ZERO_ENERGY": ("Keine Energie", "Der Ladevorgang lieferte keine Energie."),
        "DATA_GAP": ("Datenlücke", "Für einen Abschnitt des Ladevorgangs fehlen Messwerte."),
    },
    station_types={
        "energy_drop": "Energieeinbruch",
        "energy_surge": "Energieanstieg",
        "connector_outage": "Anschlussausfall",
        "idle_consumption": "Leerlaufverbrauch",
        "meter_mismatch": "Zählerabweichung",
        "": "Art nicht angegeben",
    },
)
