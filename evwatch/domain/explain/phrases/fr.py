"""French."""

from __future__ import annotations

from evwatch.domain.explain.formatting import NumberStyle
from evwatch.domain.explain.phrasebook import Phrases

PHRASES = Phrases(
    numbers=NumberStyle(decimal=",", percent="{} %"),
    session="La session {session} à la station {station}",
    session_connector="La session {session} à la station {station} (connecteur {connector})",
    flagged="{subject} a été signalée comme anormale par {model} le {analysed} : "
    "score d'anomalie {score}, confiance {confidence}.",
    clean="{subject} a été analysée par {model} le {analysed} et rien d'anormal n'a été trouvé "
    "(score d'anomalie {score}).",
    incident="Elle compte comme un incident.",
    recurring="Le même type d'anomalie a été observé récemment sur ce connecteur.",
    too_few="{subject} n'a pas encore été analysée : elle compte {count} relevés et l'analyse en demande au "
    "moins {minimum}.",
    pending="{subject} n'a pas encore été analysée : l'analyse est en attente car le service d'inférence était "
    "indisponible, et evwatch la termine automatiquement.",
    failed="{subject} n'a pas d'analyse : la dernière tentative a échoué sur les données de la session.",
    category="{label} du {start} au {end} (score {score}, confiance {confidence}).",
    span="{label} : du {start} au {end}.",
    register_around="Le compteur indiquait {before} kWh ({before_at}) et {after} kWh ({after_at}).",
    register_before="Avant, le compteur indiquait {kwh} kWh ({at}).",
    register_after="Après, le compteur indiquait {kwh} kWh ({at}).",
    peak_during="La puissance a culminé à {kw} kW pendant cette période.",
    lost_during="Environ {kwh} kWh n'ont pas été facturés ici.",
    no_findings="Aucune anomalie n'a été trouvée.",
    energy="La session a fourni {kwh} kWh, avec des relevés du {first} au {last}.",
    energy_unknown="La session n'a aucun relevé du compteur d'énergie, donc l'énergie fournie est inconnue.",
    peak="La puissance a culminé à {kw} kW.",
    revenue="Au tarif de la station de {rate} {currency}/kWh, cela fait {amount} {currency}.",
    at_risk="Ses anomalies touchent la facturation, donc toute la facture est incertaine.",
    lost="Environ {kwh} kWh ({amount} {currency}) ont été fournis mais pas facturés.",
    lost_energy="Environ {kwh} kWh ont été fournis mais pas facturés.",
    bill_ok="Rien de ce qui a été trouvé ne remet la facture en cause.",
    no_tariff="Aucun tarif n'est enregistré pour la station, donc l'impact sur le chiffre d'affaires est inconnu.",
    no_energy_revenue="Sans relevés du compteur d'énergie, l'impact sur le chiffre d'affaires ne peut pas être "
    "calculé.",
    station_sessions="À la station {station}, {anomalous} des {total} sessions enregistrées étaient anormales.",
    station_unknown="Les nombres de sessions de la station {station} ne sont pas encore disponibles.",
    shade="SHADE a signalé {anomalous} des {days} journées les plus récentes de la station.",
    shade_latest="La dernière journée signalée est le {day} ({kind}).",
    shade_none="SHADE n'a pas encore évalué cette station.",
    issues="Tickets ouverts : {items}.",
    issue="{issue} ({category}, {status}, {assignee})",
    assigned="assigné à {who}",
    unassigned="non assigné",
    no_issues="Aucun ticket ouvert n'est lié à cette session.",
    readings_span="Ses relevés vont du {first} au {last}.",
    created="La session a été créée le {created}.",
    analysed="Elle a été analysée le {analysed}.",
    no_readings="La session n'a encore aucun relevé.",
    not_in_data="Les données dont evwatch dispose sur cette session ne répondent pas à cette question. Elles "
    "permettent de dire pourquoi la session a été signalée, quelles anomalies ont été trouvées et quand, combien "
    "d'énergie a été fournie, l'impact sur le chiffre d'affaires, l'historique récent de la station et les "
    "tickets ouverts.",
    categories={
        "KWH_DECREASE": ("Baisse du compteur d'énergie", "Le compteur d'énergie a reculé."),
        "KWH_JUMP": (
            "Saut du compteur d'énergie",
            "Le compteur d'énergie a fait un bond supérieur à ce que la borne pouvait fournir dans ce laps de temps.",
        ),
        "ENERGY_PIT": (
            "Creux du compteur d'énergie",
            "Le compteur d'énergie a plongé puis est revenu ; les relevés dans le creux sont faux.",
        ),
        "ENERGY_STALL": (
            "Compteur d'énergie bloqué",
            "La puissance circulait mais le compteur d'énergie n'avançait pas.",
        ),
        "PHANTOM_ENERGY": (
            "Énergie fantôme",
            "Le compteur d'énergie a augmenté alors qu'aucune puissance ne circulait.",
        ),
        "POWER_ENERGY_MISMATCH": (
            "Écart entre puissance et énergie",
            "Le compteur d'énergie et la puissance intégrée ne concordent pas.",
        ),
        "POWER_SPIKE": ("Pic de puissance", "La puissance a dépassé ce que la borne et le véhicule permettent."),
        "CHARGING_INTERRUPTION": (
            "Interruption de charge",
            "La charge s'est arrêtée puis a repris au cours de la session.",
        ),
        "POWER_DERATING": (
            "Réduction de puissance",
            "La puissance est restée bien en dessous de ce que la borne, le véhicule et l'état de charge permettent.",
        ),
        "SOC_DROP": ("Chute de l'état de charge", "L'état de charge du véhicule a baissé pendant la charge."),
        "SOC_JUMP": (
            "Saut de l'état de charge",
            "L'état de charge du véhicule a fait un bond que l'énergie fournie n'explique pas.",
        ),
        "ZERO_ENERGY": ("Aucune énergie", "La session n'a fourni aucune énergie."),
        "DATA_GAP": ("Données manquantes", "Des relevés manquent sur une partie de la session."),
    },
    station_types={
        "energy_drop": "baisse d'énergie",
        "energy_surge": "hausse d'énergie",
        "connector_outage": "panne de connecteur",
        "idle_consumption": "consommation à vide",
        "meter_mismatch": "écart de compteur",
        "": "type non précisé",
    },
)
