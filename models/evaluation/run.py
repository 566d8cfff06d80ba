"""`evwatch models evaluate`: the frozen test set, CSAR-2 vs rules vs Isolation Forest, wire habits, real sessions.

Writes models/EVALUATION.md.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evwatch.domain.categories import CATEGORIES
from models.baselines.isolation_forest import IsolationForestBaseline, session_features
from models.baselines.rules import detect_session
from models.csar2.context import context_from_metadata
from models.csar2.dataset import unit_labels
from models.csar2.postprocess import interpret
from models.csar2.preprocess import PreparedSession
from models.csar2.runtime import TorchCsar2
from models.csar2.schema import Csar2Result
from models.evaluation.metrics import PRF, auroc, iou, prf, rate
from models.evaluation.sets import EVAL_MIX, FROZEN, FROZEN_DIGEST, SetSpec, build_set
from models.evaluation.wire_rows import Resendable, VariantRow, variant_rows
from models.simulator import SimulatedSession, simulate_session, wire


def run_csar2(model: TorchCsar2, prepared: list[PreparedSession], batch: int = 64) -> list[Csar2Result]:
    """Batched inference + post-processing, exactly like the serving path."""
    out: list[Csar2Result | None] = [None] * len(prepared)
    # similar lengths together: the network only runs the occupied prefix of the grid
    order = sorted(range(len(prepared)), key=lambda i: prepared[i].n_units)
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        ps = [prepared[i] for i in idx]
        res = model.infer({k: np.stack([p.inputs[k] for p in ps]) for k in ps[0].inputs})
        for j, i in enumerate(idx):
            out[i] = interpret(ps[j], {k: v[j] for k, v in res.items()}, model.version)
    return [r for r in out if r is not None]


def _fit_iforest(seed: int, n: int = 400) -> IsolationForestBaseline:
    x = []
    for i in range(n):
        sim = simulate_session(seed * 1_000_000 + 900_000 + i)
        x.append(session_features(sim.readings, sim.context))
    return IsolationForestBaseline(seed).fit(np.stack(x))


@dataclass(frozen=True, slots=True)
class Target:
    """One issue-10 target and whether this run meets it."""

    name: str
    met: bool
    value: str


def _targets_section(targets: list[Target]) -> list[str]:
    out = ["## Targets (issue 10)", "", "| target | met | value |", "|---|---|---|"]
    out += [f"| {t.name} | {'yes' if t.met else '**no**'} | {t.value} |" for t in targets]
    return [*out, ""]


def _variant_section(title: str, rows: list[VariantRow], note: str) -> list[str]:
    out = [
        f"## {title}",
        "",
        note,
        "",
        "| sent as | sessions | clean sessions flagged | anomalous found (of those still observable) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        clean = r.sessions - r.anomalous
        found = f"{r.detected}/{r.anomalous} ({_fmt(r.detected / r.anomalous)})" if r.anomalous else "-"
        out.append(f"| {r.variant} | {r.sessions} | {r.flagged}/{clean} ({_pct(r.flagged_share)}) | {found} |")
    return [*out, ""]


def _pct(v: float) -> str:
    return "n/a" if v != v else f"{100 * v:.1f} %"


def _model_section(meta: dict[str, Any]) -> list[str]:
    """How the evaluated weights were produced (from their metadata)."""
    cfg = meta.get("train_config", {})
    arch = meta.get("architecture", {})
    cmd = (
        f"evwatch models train --seed {cfg.get('seed')} --n-train {cfg.get('n_train')} --n-val {cfg.get('n_val')} "
        f"--ae-epochs {cfg.get('ae_epochs')} --clf-epochs {cfg.get('clf_epochs')} "
        f"--clf-channels {arch.get('c', 100)} --clf-blocks {arch.get('blocks', 3)} --version {meta.get('version')}"
    )
    return [
        "## Model",
        "",
        f"- version `{meta.get('version')}`, {meta.get('parameters')} parameters (layer 1 rotary transformer autoencoder "
        "+ layer 2 multi-scale temporal-conv classifier), trained in "
        f"{meta.get('train_seconds')} s on the 2-core CPU (torch {meta.get('torch')}).",
        f"- reproduce: `{cmd}`",
        f"- layer-1 calibration: {json.dumps(meta.get('calibration', {}))}",
        "",
    ]


def _fmt(v: float) -> str:
    return "n/a" if v != v else f"{v:.3f}"


def _injected(sim: SimulatedSession) -> frozenset[str]:
    """Every fault injected into a session, whether or not its delivered measurands show it."""
    hidden = sim.info.get("unobservable")
    return frozenset(sim.categories) | ({hidden} if hidden else set())


def _public_rows(analyse: Callable[[list[PreparedSession]], list[Csar2Result]]) -> tuple[list[VariantRow], list[str]]:
    """Real public sessions, as metered and re-sent with each habit; names for the flag review."""
    from models.evaluation.public_sessions import DEFAULT_PATH, load_public_sessions

    if not DEFAULT_PATH.exists():
        return [], []
    sessions = load_public_sessions()
    resendable = [
        Resendable(
            wire.values_from_readings(s.readings),
            context_from_metadata({"maxPowerKw": s.max_power_kw, "currentType": s.current_type}),
        )
        for s in sessions
    ]
    return variant_rows(resendable, analyse), [f"{s.source}/{s.session_id}" for s in sessions]


def evaluate(
    spec: SetSpec = FROZEN,
    n: int | None = None,
    weights: Path | None = None,
    out: Path | None = None,
    iforest_n: int = 400,
    variants_n: int | None = None,
    public: bool = True,
) -> str:
    """Run the evaluation on `spec` (the frozen test set by default); write the report to `out` and return it."""
    t0 = time.time()
    h = build_set(spec, n)
    n = len(h.sims)
    model = TorchCsar2.load(weights)
    t1 = time.time()
    results = run_csar2(model, h.prepared)
    infer_s = time.time() - t1
    truth = [s.categories for s in h.sims]
    kinds = np.array([s.kind for s in h.sims])
    anom = kinds == "anomalous"
    pred_m = [{f.category for f in r.findings} for r in results]
    pred_r = [detect_session(s.readings, s.context) for s in h.sims]
    iforest = _fit_iforest(spec.seed + 1, iforest_n)
    if_scores = iforest.score(np.stack([session_features(s.readings, s.context) for s in h.sims]))
    if_flag = if_scores > iforest.threshold

    m_score = np.array([r.anomaly_score for r in results])
    m_flag = np.array([r.is_anomaly for r in results])
    r_flag = np.array([bool(p) for p in pred_r])

    # localisation IoU for CSAR-2 true positives
    ious: dict[str, list[float]] = {c: [] for c in CATEGORIES}
    for sim, p, r in zip(h.sims, h.prepared, results, strict=True):
        y = unit_labels(sim, p)
        for ci, c in enumerate(CATEGORIES):
            if c in sim.categories:
                got = {u for f in r.findings if f.category == c for u in range(f.start_unit, f.end_unit + 1)}
                if got:
                    ious[c].append(iou(got, set(np.flatnonzero(y[:, ci]).tolist())))

    m_prf = {c: prf(truth, pred_m, c) for c in CATEGORIES}
    r_prf = {c: prf(truth, pred_r, c) for c in CATEGORIES}
    # IF names no category: credit it with the true category whenever it flags (an upper bound)
    pred_if = [(t if f else set()) | ({"_FLAG"} if f and not t else set()) for t, f in zip(truth, if_flag, strict=True)]
    if_prf = {c: prf(truth, pred_if, c) for c in CATEGORIES}

    def macro(d: dict[str, PRF]) -> float:
        return float(np.mean([v.f1 for v in d.values()]))

    def analyse(prepared: list[PreparedSession]) -> list[Csar2Result]:
        return run_csar2(model, prepared)

    k = n if variants_n is None else min(variants_n, n)
    # a variant re-sends the meter values before the session's own habits: a fault those habits hid
    # (`unobservable`) may be visible again, so the truth is the injected fault, judged per variant
    sim_rows = variant_rows([Resendable(s.values, s.context, _injected(s)) for s in h.sims[:k]], analyse)
    public_rows, public_names = _public_rows(analyse) if public else ([], [])

    digest = h.digest
    if spec == FROZEN and n == FROZEN.n:
        frozen_note = (
            "the recorded frozen set (digest matches)"
            if digest == FROZEN_DIGEST
            else f"**not the recorded frozen set**: digest `{digest[:16]}` differs from `{FROZEN_DIGEST[:16]}`"
        )
    else:
        frozen_note = f"not the frozen test set (digest `{digest[:16]}`)"
    unobservable = sum(1 for s in h.sims if s.info.get("unobservable"))
    lines = [
        "# CSAR-2 evaluation",
        "",
        f"Generated by `evwatch models evaluate --set {spec.name} --n {n}` (model `{model.version}`, "
        f"{model.meta.get('parameters', '?')} parameters). Set `{spec.name}`: seed space {spec.seed} (training uses 1 "
        f"and 501), simulator profile `{spec.profile}`, mix healthy {EVAL_MIX.healthy:.0%} / hard negatives "
        f"{EVAL_MIX.hard_negative:.0%} / anomalous rest; {int(anom.sum())} anomalous, "
        f"{int((kinds == 'healthy').sum())} healthy, {int((kinds == 'hard_negative').sum())} hard-negative sessions; "
        f"{frozen_note}. Every session carries wire habits drawn independently of its label "
        f"(`models/simulator/wire.py`); {unobservable} injected faults were invisible in the measurands their "
        "session reports, so they carry no label and count as clean.",
        "",
        "Session-level detection per category (a session counts as predicted for a category when at least one "
        "finding of that category is reported). IoU = mean unit-range intersection-over-union on true positives.",
        "",
        "| category | support | CSAR-2 P | CSAR-2 R | CSAR-2 F1 | IoU | rules P | rules R | rules F1 | IF F1 (oracle category) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in CATEGORIES:
        mc, rc, fc = m_prf[c], r_prf[c], if_prf[c]
        lines.append(
            f"| {c} | {mc.support} | {_fmt(mc.precision)} | {_fmt(mc.recall)} | **{_fmt(mc.f1)}** | "
            f"{_fmt(float(np.mean(ious[c])) if ious[c] else float('nan'))} | {_fmt(rc.precision)} | {_fmt(rc.recall)} | "
            f"{_fmt(rc.f1)} | {_fmt(fc.f1)} |"
        )
    fpr_h, fpr_hn = rate(m_flag[kinds == "healthy"]), rate(m_flag[kinds == "hard_negative"])
    # healthy also holds sessions whose fault the delivered measurands cannot show (no label), yet
    # whose data may still show something else: e.g. a register stall sent without power looks like
    # an interruption. This row leaves them out.
    pure = (kinds == "healthy") & np.array([not s.info.get("unobservable") for s in h.sims])
    fpr_pure = rate(m_flag[pure])
    lines += [
        f"| **macro** | | | | **{_fmt(macro(m_prf))}** | | | | {_fmt(macro(r_prf))} | {_fmt(macro(if_prf))} |",
        "",
        "| session level | CSAR-2 | rules | Isolation Forest |",
        "|---|---|---|---|",
        f"| AUROC (anomalous vs healthy + hard negatives) | {_fmt(auroc(anom, m_score))} | "
        f"{_fmt(auroc(anom, np.array([len(p) for p in pred_r], float)))} | {_fmt(auroc(anom, if_scores))} |",
        f"| false-positive rate, healthy | {_fmt(fpr_h)} | "
        f"{_fmt(rate(r_flag[kinds == 'healthy']))} | {_fmt(rate(if_flag[kinds == 'healthy']))} |",
        f"| false-positive rate, healthy with no fault injected at all | {_fmt(fpr_pure)} | "
        f"{_fmt(rate(r_flag[pure]))} | {_fmt(rate(if_flag[pure]))} |",
        f"| false-positive rate, hard negatives | {_fmt(fpr_hn)} | "
        f"{_fmt(rate(r_flag[kinds == 'hard_negative']))} | {_fmt(rate(if_flag[kinds == 'hard_negative']))} |",
        f"| detection rate, anomalous | {_fmt(rate(m_flag[anom]))} | {_fmt(rate(r_flag[anom]))} | {_fmt(rate(if_flag[anom]))} |",
        "",
        "CSAR-2 recall by severity and false positives by hard-negative type:",
        "",
    ]
    for sev in ("subtle", "moderate", "severe"):
        idx = [i for i, s in enumerate(h.sims) if s.labels and s.labels[0].severity == sev]
        hit = [bool(truth[i] & pred_m[i]) for i in idx]
        hit_r = [bool(truth[i] & pred_r[i]) for i in idx]
        lines.append(f"- {sev}: CSAR-2 {_fmt(rate(np.array(hit)))}, rules {_fmt(rate(np.array(hit_r)))} (n={len(idx)})")
    hn_types = sorted({s.hard_negative for s in h.sims if s.hard_negative})
    for t in hn_types:
        idx = [i for i, s in enumerate(h.sims) if s.hard_negative == t]
        lines.append(
            f"- hard negative `{t}`: CSAR-2 FP {_fmt(rate(m_flag[idx]))}, rules FP {_fmt(rate(r_flag[idx]))} (n={len(idx)})"
        )
    fp_cats: dict[str, int] = {}
    for i in np.flatnonzero(~anom & m_flag):
        for c in pred_m[i]:
            fp_cats[c] = fp_cats.get(c, 0) + 1
    lines += [
        f"- categories of the false alarms on clean sessions: {json.dumps(dict(sorted(fp_cats.items())))}",
        "",
        f"Inference (torch, CPU, batch 64, 2 threads): {1000 * infer_s / max(n, 1):.2f} ms per session. "
        f"Evaluation took {time.time() - t0:.0f} s.",
        "",
        "Notes: a session is flagged (`is_anomaly`) when it has a finding: some unit's probability for a category "
        "exceeds 0.5 (each category's threshold is folded into the network as a logit shift), and the session "
        "reports the measurands that category needs (`evwatch.domain.categories.CATEGORY_EVIDENCE`). The "
        "autoencoder's score is recorded as `unfamiliar_score` and raises nothing. The Isolation Forest names no "
        "category; its per-category F1 assumes an oracle that names the true category whenever it flags an "
        "anomalous session (an upper bound), its threshold is the 98th percentile of healthy training scores.",
        "",
    ]
    lines += _variant_section(
        "Wire habits, one at a time",
        sim_rows,
        f"The first {k} sessions of this set, taken back to their meter values before any habit and re-sent with "
        "exactly one habit each. Clean = healthy and hard-negative sessions, plus those whose fault the variant "
        "makes invisible (e.g. a SoC fault sent as power only).",
    )
    if public_rows:
        lines += _variant_section(
            "Real public sessions",
            public_rows,
            "Real metered sessions from public data (`models/evaluation/data/SOURCES.md`), as metered and re-sent "
            "with each habit. They carry no labels: every flag is listed below for review.",
        )
        for row in public_rows:
            for i, cats in row.flags:
                lines.append(f"- {row.variant}: `{public_names[i]}` flagged {', '.join(cats)}")
        lines.append("")
    worst_variant = max((r.flagged_share for r in sim_rows if r.flagged_share == r.flagged_share), default=0.0)
    worst_public = max((r.flagged_share for r in public_rows if r.flagged_share == r.flagged_share), default=0.0)
    min_f1 = min(v.f1 for v in m_prf.values())
    targets = [
        Target("macro-F1 >= 0.93", macro(m_prf) >= 0.93, _fmt(macro(m_prf))),
        Target("every category F1 >= 0.85", min_f1 >= 0.85, f"min {_fmt(min_f1)}"),
        Target("false positives <= 1 % healthy", fpr_h <= 0.01, _pct(fpr_h)),
        Target("false positives <= 3 % hard-healthy", fpr_hn <= 0.03, _pct(fpr_hn)),
        Target(
            "each wire-habit variant of clean sessions <= 2 % flagged",
            worst_variant <= 0.02,
            f"worst {_pct(worst_variant)}",
        ),
    ]
    if public_rows:
        targets.append(
            Target(
                "real public sessions, every variant <= 5 % flagged",
                worst_public <= 0.05,
                f"worst {_pct(worst_public)}",
            )
        )
    lines += _targets_section(targets)
    lines += _model_section(model.meta)
    report = "\n".join(lines)
    if out is not None:
        out.write_text(report + _reviewed_part(out))
    return report


# Below this line EVALUATION.md is written by people (flag reviews, what each change bought); a new
# run rewrites everything above it and keeps the rest.
REVIEW_MARKER = "<!-- reviewed by hand: evaluate keeps everything below this line -->"


def _reviewed_part(out: Path) -> str:
    old = out.read_text() if out.exists() else ""
    return "\n" + old[old.index(REVIEW_MARKER) :] if REVIEW_MARKER in old else ""
