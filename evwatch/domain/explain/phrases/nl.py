"""Dutch."""

from __future__ import annotations

from evwatch.domain.explain.formatting import NumberStyle
from evwatch.domain.explain.phrasebook import Phrases

PHRASES = Phrases(
    numbers=NumberStyle(decimal=",", percent="{}%"),
    session="Sessie {session} op laadstation {station}",
    session_connector="Sessie {session} op laadstation {station} (connector {connector})",
    flagged="{subject} is door {model} op {analysed} als afwijkend gemarkeerd: "
    "anomaliescore {score}, betrouwbaarheid {confidence}.",
    clean="{subject} is door {model} op {analysed} geanalyseerd en er is niets afwijkends gevonden "
    "(anomaliescore {score}).",
    incident="Dit geldt als een incident.",
    recurring="Hetzelfde soort afwijking is onlangs ook op deze connector gezien.",
    too_few="{subject} is nog niet geanalyseerd: de sessie heeft {count} meterwaarden en de analyse heeft er "
    "minstens {minimum} nodig.",
    pending="{subject} is nog niet geanalyseerd: de analyse wacht omdat de inferentiedienst niet beschikbaar was, "
    "en evwatch voltooit haar automatisch.",
    failed="{subject} heeft geen analyse: de laatste poging is mislukt op de gegevens van de sessie.",
    category="{label} van {start} tot {end} (score {score}, betrouwbaarheid {confidence}).",
    span="{label}: {start} tot {end}.",
    register_around="De meterstand was {before} kWh op {before_at} en {after} kWh op {after_at}.",
    register_before="Ervoor was de meterstand {kwh} kWh ({at}).",
    register_after="Erna was de meterstand {kwh} kWh ({at}).",
    peak_during="Het vermogen piekte daarbij op {kw} kW.",
    lost_during="Naar schatting {kwh} kWh is hier niet gefactureerd.",
    no_findings="Er zijn geen afwijkingen gevonden.",
    energy="De sessie leverde {kwh} kWh, met meterwaarden van {first} tot {last}.",
    energy_unknown="De sessie heeft geen standen van het energieregister, dus de geleverde energie is onbekend.",
    peak="Het vermogen piekte op {kw} kW.",
    revenue="Tegen het tarief van het station van {rate} {currency}/kWh is dat {amount} {currency}.",
    at_risk="De afwijkingen raken de facturering, dus de hele rekening staat ter discussie.",
    lost="Naar schatting {kwh} kWh ({amount} {currency}) is geleverd maar niet gefactureerd.",
    lost_energy="Naar schatting {kwh} kWh is geleverd maar niet gefactureerd.",
    bill_ok="Niets van wat gevonden is zet de rekening ter discussie.",
    no_tariff="Voor het station is geen tarief bekend, dus de impact op de omzet is onbekend.",
    no_energy_revenue="Zonder standen van het energieregister is de impact op de omzet niet te berekenen.",
    station_sessions="Op station {station} waren {anomalous} van de {total} geregistreerde sessies afwijkend.",
    station_unknown="Sessieaantallen voor station {station} zijn nog niet beschikbaar.",
    shade="SHADE markeerde {anomalous} van de {days} meest recente stationsdagen.",
    shade_latest="De meest recente gemarkeerde dag is {day} ({kind}).",
    shade_none="SHADE heeft dit station nog niet beoordeeld.",
    issues="Open meldingen: {items}.",
    issue="{issue} ({category}, {status}, {assignee})",
    assigned="toegewezen aan {who}",
    unassigned="niet toegewezen",
    no_issues="Er zijn geen open meldingen aan deze sessie gekoppeld.",
    readings_span="De meterwaarden lopen van {first} tot {last}.",
    created="De sessie is aangemaakt op {created}.",
    analysed="Ze is geanalyseerd op {analysed}.",
    no_readings="De sessie heeft nog geen meterwaarden.",
    not_in_data="De gegevens die evwatch over deze sessie heeft, beantwoorden die vraag niet. Wel kan het "
    "zeggen waarom de sessie is gemarkeerd, welke afwijkingen er zijn gevonden en wanneer, hoeveel energie er "
    "is geleverd, wat de impact op de omzet is, hoe het station het recent deed en welke meldingen open staan.",
    categories={
        "KWH_DECREASE": ("Daling van de energiemeter", "De energiemeter liep terug."),
        "KWH_JUMP": (
            "Sprong van de energiemeter",
            "De energiemeter sprong verder dan de lader in die tijd kon leveren.",
        ),
        "ENERGY_PIT": (
            "Dip in de energiemeter",
            "De energiemeter zakte en herstelde zich, dus de meterstanden in de dip kloppen niet.",
        ),
        "ENERGY_STALL": ("Stilstaande energiemeter", "Er liep vermogen maar de energiemeter stond stil."),
        "PHANTOM_ENERGY": ("Spookenergie", "De energiemeter liep op terwijl er geen vermogen liep."),
        "POWER_ENERGY_MISMATCH": (
            "Verschil tussen vermogen en energie",
            "De energiemeter en het geïntegreerde vermogen komen niet overeen.",
        ),
        "POWER_SPIKE": ("Vermogenspiek", "Het vermogen piekte boven wat lader en voertuig toestaan."),
        "CHARGING_INTERRUPTION": ("Laadonderbreking", "Het laden stopte en hervatte binnen de sessie."),
        "POWER_DERATING": (
            "Vermogensbeperking",
            "Het vermogen zakte ver onder wat lader, voertuig en laadtoestand toestaan.",
        ),
        "SOC_DROP": ("Daling van de laadtoestand", "De laadtoestand van het voertuig daalde tijdens het laden."),
        "SOC_JUMP": (
            "Sprong van de laadtoestand",
            "De laadtoestand van het voertuig sprong meer dan de geleverde energie verklaart.",
        ),
        "ZERO_ENERGY": ("Geen energie", "De sessie leverde geen energie."),
        "DATA_GAP": ("Ontbrekende gegevens", "Voor een deel van de sessie ontbreken meterwaarden."),
    },
    station_types={
        "energy_drop": "energiedaling",
        "energy_surge": "energiepiek",
        "connector_outage": "uitval van een connector",
        "idle_consumption": "verbruik in rust",
        "meter_mismatch": "meterverschil",
        "": "soort niet opgegeven",
    },
)
