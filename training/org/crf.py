"""Linear-chain CRF (python-crfsuite, L-BFGS) on the ORG tagger's hashed features.

Why: the one-vs-rest SGD tagger scores every character on its own and leaves span
consistency to a constraint-only Viterbi; a CRF learns emission weights and transition
scores jointly by maximising the likelihood of whole label sequences.  It is trained on
exactly the features :func:`~pipeline.orgs.features.feature_indices` computes (each
hashed index becomes a short hex attribute string), so the learned model exports to
the plain arrays :class:`~pipeline.orgs.classifier.OrgTagger` already reads: state
weights -> the ``(2**bits, labels)`` table (attribute -> row, label -> column),
transitions -> the ``transitions`` matrix, bias zeros.  python-crfsuite is needed for
training only; the crfsuite model file lives in a temporary folder and is never shipped.

    nice -n 10 env OMP_NUM_THREADS=1 .venv/bin/python -m training.org.crf --limit 10000

runs the subset comparison (SGD log loss vs CRF on the same MSRA sentences, MSRA
dev[:1000] model-alone F1 over the same O-bias sweep); the full recipe is
``python -m training.org.train --algorithm crf``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.orgs.features import LABELS

# Deterministic by construction: L-BFGS on a fixed data order has no randomness.
DEFAULT_C1 = 0.0
DEFAULT_C2 = 1.0
DEFAULT_ITERATIONS = 150


@lru_cache(maxsize=2)
def attribute_names(bits: int) -> tuple[str, ...]:
    """Hex attribute string of every hashed index (one table: no per-character format)."""
    return tuple(format(i, "x") for i in range(1 << bits))


def items(indices: np.ndarray, names: tuple[str, ...]) -> list[list[str] | dict[str, float]]:
    """crfsuite items of one sentence: each character's hashed indices as attributes.

    A character whose templates collide on one index gets that attribute with its count
    as value, so the CRF score is the same sum of weight rows the runtime gather adds.
    """
    rows = indices.tolist()
    out: list[list[str] | dict[str, float]] = []
    srt = np.sort(indices, axis=1)
    dup = (srt[:, 1:] == srt[:, :-1]).any(axis=1).tolist() if indices.shape[1] > 1 else []
    for i, row in enumerate(rows):
        if dup and dup[i]:
            out.append({names[k]: float(c) for k, c in Counter(row).items()})
        else:
            out.append([names[k] for k in row])
    return out


def _make_trainer(log: Callable[[str], None], every: int) -> Any:
    """A ``pycrfsuite.Trainer`` that reports every ``every`` iterations through ``log``."""
    import pycrfsuite

    class _Trainer(pycrfsuite.Trainer):
        def on_start(self, log_text: str) -> None:
            pass

        def on_featgen_progress(self, log_text: str, percent: float) -> None:
            pass

        def on_featgen_end(self, log_text: str) -> None:
            n = self.logparser.featgen_num_features
            log(f"  crfsuite: {n} features generated")

        def on_prepared(self, log_text: str) -> None:
            pass

        def on_iteration(self, log_text: str, info: dict[str, Any]) -> None:
            if info["num"] == 1 or info["num"] % every == 0:
                log(
                    f"  crfsuite iteration {info['num']}: loss {info['loss']:.1f}, "
                    f"active features {info.get('active_features')}, {info['time']:.2f}s"
                )

        def on_optimization_end(self, log_text: str) -> None:
            log("  crfsuite: " + " ".join(log_text.split())[:200])

        def on_end(self, log_text: str) -> None:
            pass

    return _Trainer(verbose=True)


def train_crf(
    sequences: Iterable[tuple[np.ndarray, np.ndarray]],
    bits: int,
    *,
    c1: float = DEFAULT_C1,
    c2: float = DEFAULT_C2,
    iterations: int = DEFAULT_ITERATIONS,
    log: Callable[[str], None] = print,
) -> tuple[np.ndarray, np.ndarray]:
    """Fit a CRF on ``(indices (n, templates), label ids (n,))`` sentences.

    Returns ``(weights (2**bits, len(LABELS)) float32, transitions (k, k) float64)``
    in :data:`~pipeline.orgs.features.LABELS` order.  Sentences are appended in the
    order given (fixed), one at a time (the attribute strings are not kept in Python).
    """
    trainer = _make_trainer(log, every=10)
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            # Every label pair gets a weight (forbidden ones are masked at decoding anyway).
            "feature.possible_transitions": True,
        }
    )
    names = attribute_names(bits)
    n_sent = 0
    for indices, tags in sequences:
        if indices.shape[0] == 0:
            continue
        trainer.append(items(indices, names), [LABELS[t] for t in tags.tolist()])
        n_sent += 1
    log(f"  crfsuite: {n_sent} sentences appended")
    with tempfile.TemporaryDirectory(prefix="zhnews-crf-") as tmp:
        model = Path(tmp) / "org.crfsuite"
        trainer.train(str(model))
        return export_weights(model, bits)


# ``(12) 1a2b --> B: 0.123456`` (state feature) / ``(1) O --> B: -0.5`` (transition).
_LINE = re.compile(r"^\s*\(\d+\) (\S+) --> (\S+): ([-+]?[0-9.eE+-]+)\s*$")


def export_weights(model: Path | str, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Read a crfsuite model into the tagger's arrays (hex attribute -> weight row).

    Parses crfsuite's own text dump (the C library keeps weights private otherwise):
    ``STATE_FEATURES`` go to ``weights[int(attr, 16), label]``, ``TRANSITIONS`` to
    ``transitions[from, to]``.  Attributes that are not hex indices below ``2**bits``
    are refused (the model was not trained on these features).
    """
    import pycrfsuite

    label_index = {lab: i for i, lab in enumerate(LABELS)}
    weights = np.zeros((1 << bits, len(LABELS)), dtype=np.float32)
    transitions = np.zeros((len(LABELS), len(LABELS)), dtype=np.float64)
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    try:
        with tempfile.TemporaryDirectory(prefix="zhnews-crf-dump-") as tmp:
            dump = Path(tmp) / "dump.txt"
            tagger.dump(str(dump))
            section = None
            rows: list[int] = []
            cols: list[int] = []
            vals: list[float] = []
            with open(dump, encoding="utf8") as fh:
                for line in fh:
                    head = line.strip()
                    if head.endswith("= {"):
                        section = head.split(" ", 1)[0]
                        continue
                    if head == "}":
                        section = None
                        continue
                    if section not in ("TRANSITIONS", "STATE_FEATURES"):
                        continue
                    m = _LINE.match(line)
                    if m is None:
                        raise ValueError(f"unexpected crfsuite dump line: {line!r}")
                    a, b, w = m.group(1), m.group(2), float(m.group(3))
                    if section == "TRANSITIONS":
                        transitions[label_index[a], label_index[b]] = w
                    else:
                        rows.append(int(a, 16))
                        cols.append(label_index[b])
                        vals.append(w)
    finally:
        tagger.close()
    if rows:
        r = np.array(rows, dtype=np.int64)
        if r.max() >= weights.shape[0]:
            raise ValueError(f"attribute index {r.max()} outside 2**{bits}")
        weights[r, np.array(cols, dtype=np.int64)] = np.array(vals, dtype=np.float32)
    return weights, transitions


def fit_calibration(scores: np.ndarray, gold: np.ndarray) -> tuple[float, np.ndarray]:
    """Temperature and per-label offsets making ``softmax(scores / T + offsets)`` fit gold.

    Why: a CRF's emission scores leave much of O's advantage to the O->O transition, so
    their plain softmax says P(O) is lower than it is; the runtime uses P(O) to pick the
    regions it decodes and P(not O) as model support for rules, and the mean probability
    of the decoded labels as a span's confidence.  Minimising the log loss of the gold
    labels on dev characters (6 parameters, offset of O fixed at 0) calibrates them; the
    decoder removes the offsets again, so the Viterbi path does not change.
    """
    from scipy.optimize import minimize

    e = np.asarray(scores, dtype=np.float64)
    n, k = e.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), gold] = 1.0
    e_gold = e[np.arange(n), gold]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        a, c = theta[0], np.concatenate(([0.0], theta[1:]))
        z = a * e + c
        zmax = z.max(axis=1, keepdims=True)
        ez = np.exp(z - zmax)
        tot = ez.sum(axis=1, keepdims=True)
        p = ez / tot
        value = float(np.mean(np.log(tot[:, 0]) + zmax[:, 0] - (a * e_gold + c[gold])))
        grad_a = float(np.mean((p * e).sum(axis=1) - e_gold))
        grad_c = (p - onehot).mean(axis=0)[1:]
        return value, np.concatenate(([grad_a], grad_c))

    theta0 = np.concatenate(([1.0], np.zeros(k - 1)))
    res = minimize(
        loss, theta0, jac=True, method="L-BFGS-B", bounds=[(0.05, 20.0)] + [(-50, 50)] * (k - 1)
    )
    a = float(res.x[0])
    offsets = np.concatenate(([0.0], res.x[1:])).astype(np.float32)
    return 1.0 / a, offsets


# -- subset comparison (step 1 of the CRF experiment) ----------------------------------


def main(argv: list[str] | None = None) -> int:
    """SGD log loss vs CRF on the same MSRA subset; MSRA dev[:N] model-alone F1."""
    from pipeline.orgs.classifier import OrgTagger
    from pipeline.orgs.features import FeatureConfig
    from pipeline.orgs.rules import load_rules
    from pipeline.orgs.tagging import CharTagPipeline
    from training.org.data import REPO_ROOT, msra_splits, shared_available
    from training.org.tokens import PkusegTokens
    from training.org.train import (
        _cache_tokens,
        build_matrix,
        evaluate_tagger,
        fit_sgd,
        sentence_features,
    )

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--limit", type=int, default=10000, help="MSRA train sentences")
    parser.add_argument("--dev", type=int, default=1000, help="MSRA dev sentences")
    parser.add_argument("--bits", type=int, default=21)
    parser.add_argument("--c1", type=float, nargs="+", default=[DEFAULT_C1])
    parser.add_argument("--c2", type=float, nargs="+", default=[DEFAULT_C2])
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    parser.add_argument("--skip-sgd", action="store_true")
    parser.add_argument("--save", type=Path, default=None, help="write each tagger's npz here")
    args = parser.parse_args(argv)
    if not shared_available():
        print("../shared/data is missing", file=sys.stderr)
        return 1

    t0 = time.perf_counter()
    config = FeatureConfig(bits=args.bits, use_tokens=True)
    featurizer = CharTagPipeline(load_rules(REPO_ROOT / "configs" / "orgs"), None, config)
    msra_train, msra_dev, _ = msra_splits()
    train, dev = msra_train[: args.limit], msra_dev[: args.dev]
    tokens = _cache_tokens(train + dev, PkusegTokens())
    print(f"segmented {len(train)} + {len(dev)} sentences in {time.perf_counter() - t0:.0f}s")
    sweep = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)

    def report(name: str, tagger: OrgTagger, temperatures: tuple[float, ...]) -> None:
        """Best dev F1 over the O-bias sweep (and, for the CRF, the softmax temperature:
        it widens the regions decoded and scales the confidences, not the path)."""
        featurizer.tagger = tagger
        best: tuple[float, float, float, dict[str, float]] = (-1.0, 0.0, 1.0, {})
        for temperature in temperatures:
            tagger.temperature = temperature
            for o_bias in sweep:
                tagger.o_bias = o_bias
                m = evaluate_tagger(dev, featurizer, tokens)
                print(f"  {name} T={temperature} o_bias={o_bias}: F1 {m['f1']:.4f}", flush=True)
                if m["f1"] > best[0]:
                    best = (m["f1"], o_bias, temperature, m)
        tagger.o_bias, tagger.temperature = best[1], best[2]
        print(
            f"RESULT {name}: MSRA dev[:{args.dev}] F1 {best[0]:.4f} "
            f"(o_bias {best[1]}, T {best[2]}) {best[3]}",
            flush=True,
        )
        if args.save is not None:
            from pipeline.orgs.classifier import save_tagger

            args.save.mkdir(parents=True, exist_ok=True)
            save_tagger(tagger, args.save / (re.sub(r"[^\w.=-]+", "_", name) + ".npz"))

    if not args.skip_sgd:
        t1 = time.perf_counter()
        X, y = build_matrix(train, featurizer, tokens)
        tagger, _ = fit_sgd(X, y, config)
        print(f"SGD fitted in {time.perf_counter() - t1:.0f}s", flush=True)
        report("sgd log_loss", tagger, (1.0,))
    for c1 in args.c1:
        for c2 in args.c2:
            t1 = time.perf_counter()
            weights, trans = train_crf(
                sentence_features(train, featurizer, tokens),
                args.bits,
                c1=c1,
                c2=c2,
                iterations=args.iterations,
                log=lambda s: print(s, flush=True),
            )
            print(f"CRF c1={c1} c2={c2} fitted in {time.perf_counter() - t1:.0f}s", flush=True)
            tagger = OrgTagger(
                weights=weights,
                bias=np.zeros(len(LABELS), dtype=np.float32),
                labels=LABELS,
                config=config,
                transitions=trans,
            )
            report(f"crf c1={c1} c2={c2} it={args.iterations}", tagger, (1.0, 2.0, 4.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
