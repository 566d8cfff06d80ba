"""English."""

from __future__ import annotations

from evwatch.domain.explain.formatting import NumberStyle
from evwatch.domain.explain.phrasebook import Phrases

PHRASES = Phrases(
    numbers=NumberStyle(decimal=".", percent="{}%"),
    session="Session {session} at station {station}",
    session_connector="Session {session} at station {station} (connector {connector})",
    flagged="{subject} was flagged as anomalous by {model} on {analysed}: "
    "anomaly score {score}, confidence {confidence}.",
    clean="{subject} was analysed by {model} on {analysed} and nothing anomalous was found (anomaly score {score}).",
    incident="It counts as an incident.",
    recurring="The same kind of anomaly was seen on this connector recently.",
    too_few="{subject} has not been analysed yet: it has {count} meter values and the analysis needs at least "
    "{minimum}.",
    pending="{subject} has not been analysed yet: the analysis is pending because the inference service was "
    "unavailable, and evwatch completes it automatically.",
    failed="{subject} has no analysis: the latest attempt failed on the session's data.",
    category="{label} from {start} to {end} (score {score}, confidence {confidence}).",
    span="{label}: {start} to {end}.",
    register_around="The register read {before} kWh at {before_at} and {after} kWh at {after_at}.",
    register_before="Before it the register read {kwh} kWh ({at}).",
    register_after="After it the register read {kwh} kWh ({at}).",
    peak_during="Power peaked at {kw} kW during it.",
    lost_during="An estimated {kwh} kWh went unbilled here.",
    no_findings="No anomalies were found.",
    energy="The session delivered {kwh} kWh, with meter values from {first} to {last}.",
    energy_unknown="The session has no energy register readings, so the energy delivered is unknown.",
    peak="Power peaked at {kw} kW.",
    revenue="At the station's tariff of {rate} {currency}/kWh that is {amount} {currency}.",
    at_risk="Its anomalies concern billing, so the whole bill is in doubt.",
    lost="An estimated {kwh} kWh ({amount} {currency}) was delivered but not billed.",
    lost_energy="An estimated {kwh} kWh was delivered but not billed.",
    bill_ok="Nothing that was found puts the bill in doubt.",
    no_tariff="No tariff is on record for the station, so the revenue impact is unknown.",
    no_energy_revenue="Without energy register readings the revenue impact cannot be computed.",
    station_sessions="At station {station}, {anomalous} of {total} recorded sessions were anomalous.",
    station_unknown="Session counts for station {station} are not available yet.",
    shade="SHADE flagged {anomalous} of the station's {days} most recent station-days.",
    shade_latest="The most recent flagged day is {day} ({kind}).",
    shade_none="SHADE has not scored this station yet.",
    issues="Open issues: {items}.",
    issue="{issue} ({category}, {status}, {assignee})",
    assigned="assigned to {who}",
    unassigned="unassigned",
    no_issues="No open issues are linked to this session.",
    readings_span="Its meter values run from {first} to {last}.",
    created="The session was created on {created}.",
    analysed="It was analysed on {analysed}.",
    no_readings="The session has no meter values yet.",
    not_in_data="The data evwatch holds about this session does not answer that question. It can say why the "
    "session was flagged, which anomalies were found and when, how much energy was delivered, the revenue "
    "impact, the station's recent history and the open issues.",
    categories={
        "KWH_DECREASE": ("Energy register decrease", "The energy register went backwards."),
        "KWH_JUMP": (
            "Energy register jump",
            "The energy register jumped by more than the charger could deliver in the time.",
        ),
        "ENERGY_PIT": (
            "Energy pit",
            "The energy register dipped and came back, so the readings inside the dip are wrong.",
        ),
        "ENERGY_STALL": ("Energy stall", "Power flowed but the energy register stood still."),
        "PHANTOM_ENERGY": ("Phantom energy", "The energy register rose while no power flowed."),
        "POWER_ENERGY_MISMATCH": (
            "Power/energy mismatch",
            "The energy register and the integrated power disagree.",
        ),
        "POWER_SPIKE": ("Power spike", "Power spiked beyond what the charger and vehicle allow."),
        "CHARGING_INTERRUPTION": ("Charging interruption", "Charging stopped and resumed within the session."),
        "POWER_DERATING": (
            "Power derating",
            "Power dropped well below what the charger, vehicle and state of charge allow.",
        ),
        "SOC_DROP": ("State-of-charge drop", "The vehicle's state of charge fell while charging."),
        "SOC_JUMP": (
            "State-of-charge jump",
            "The vehicle's state of charge jumped by more than the energy delivered explains.",
        ),
        "ZERO_ENERGY": ("Zero energy", "The session delivered no energy."),
        "DATA_GAP": ("Data gap", "Meter values are missing for a stretch of the session."),
    },
    station_types={
        "energy_drop": "energy drop",
        "energy_surge": "energy surge",
        "connector_outage": "connector outage",
        "idle_consumption": "idle consumption",
        "meter_mismatch": "meter mismatch",
        "": "type not given",
    },
)
