"""Benchmark: sign and verify an Open Badges 3.0 micro-credential, Osaamo vs Digital Bazaar.

Run: ``python bench/vc_sign_verify.py [--rounds N] [--batch N] [--no-pin] [--quick]``.

How it measures (and prints, so a reader knows):
- the same credential (tests/vc/fixtures/micro_credential.json) on both sides; the canonical
  N-Quads must be byte-identical and each side must verify the other's signature, or it fails;
- the Node peer (bench/peer/sign_verify.mjs: @digitalbazaar/vc + eddsa-rdfc-2022, contexts from
  memory with jsonld.js's static-context cache) is one long-lived process; both are warmed up
  (the peer with thousands of operations for V8's JIT) before anything is measured;
- both are pinned to the same single core (taskset / sched_setaffinity) unless ``--no-pin``;
- measurement is interleaved: each round runs a batch of ours, then a batch of the peer's (the
  order alternates each round), so machine noise hits both; per-operation CPU time of the process
  (what one credential costs one core) and wall time are recorded for every batch;
- the figures are medians over the rounds, the ratio is the median of the per-round ratios.

Then: where our time goes (each stage measured alone), the raw Ed25519 floor on both sides, and
the memory check over 10,000 signatures. Ends with ``bench: <name> <value> <unit> ...`` lines.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

import osaamo.vc as vc  # noqa: E402
from osaamo.vc import keys as vc_keys  # noqa: E402
from osaamo.vc.canonical import _cache_for, _sorted_text, first_degree_canonical_lines  # noqa: E402
from osaamo.vc.jsonld_fast import to_quads  # noqa: E402
from osaamo.vc.loader import BUNDLED_CONTEXT_FILES, default_loader  # noqa: E402
from osaamo.vc.proofs import hash_data  # noqa: E402

CONTEXT_DIR = ROOT / "src" / "osaamo" / "vc" / "contexts"
CREDENTIAL = ROOT / "tests" / "vc" / "fixtures" / "micro_credential.json"
PEER = ROOT / "bench" / "peer" / "sign_verify.mjs"
DID = "did:web:osaamo.example.fi:issuers:jyu"
SEED = bytes(range(32))
NOW = datetime(2025, 6, 13, 12, 0, tzinfo=UTC)
NOW_TEXT = "2025-06-13T12:00:00Z"


class Peer:
    """The long-lived Node peer process (JSON lines over stdin/stdout)."""

    def __init__(self, cpu: int | None, node_flags: list[str]) -> None:
        node = shutil.which("node")
        if node is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
            raise SystemExit("bench: the Node peer needs node and `npm ci` at the repository root")
        command = [node, *node_flags, str(PEER)]
        if cpu is not None:
            if not shutil.which("taskset"):
                raise SystemExit("bench: taskset is needed to pin the peer (or run with --no-pin)")
            command = ["taskset", "-c", str(cpu), *command]
        self.command = command
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, bufsize=1
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"bench: the peer exited ({self.process.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"bench: peer failed: {answer['error'][-2000:]}")
        return answer

    def batch(self, op: str, n: int) -> tuple[float, float]:
        answer = self.ask({"op": op, "n": n})
        return answer["cpu_ms"], answer["wall_ms"]

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


def batch(fn: Callable[[], Any], n: int) -> tuple[float, float]:
    """(CPU ms, wall ms) per call over ``n`` calls."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return (time.process_time() - cpu0) * 1000 / n, (time.perf_counter() - wall0) * 1000 / n


def median_cpu(fn: Callable[[], Any], n: int, rounds: int) -> float:
    """Median over ``rounds`` of per-call CPU time (µs) over ``n`` calls (after a warm-up)."""
    batch(fn, n)
    return statistics.median(batch(fn, n)[0] for _ in range(rounds)) * 1000


def memory_growth(credential: dict[str, Any], signer: vc.Signer, count: int) -> tuple[float, int]:
    """(bytes retained per credential by tracemalloc, RSS growth in KiB) over ``count`` signatures."""

    def rss_kib() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    for _ in range(200):
        vc.issue(credential, signer=signer, now=NOW)
    gc.collect()
    rss_before = rss_kib()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for _ in range(count):
        vc.issue(credential, signer=signer, now=NOW)
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (after - before) / count, rss_kib() - rss_before


def breakdown(
    credential: dict[str, Any],
    signed: dict[str, Any],
    signer: vc.Signer,
    resolver: vc.StaticResolver,
    n: int,
    rounds: int,
) -> None:
    """Print where one signature and one verification spend their time, stage by stage."""
    cache = _cache_for(default_loader())
    expansion = to_quads(credential, cache)
    blank_text = "\n".join(expansion.blank)
    distinct_blank = list(dict.fromkeys(expansion.blank))
    if first_degree_canonical_lines(distinct_blank) is None:
        raise SystemExit("the benchmark credential should be labelled by first-degree hashes alone")
    config = {"@context": credential["@context"], **{k: v for k, v in signed["proof"].items() if k != "proofValue"}}

    def parsed() -> ox.Dataset:
        return ox.Dataset(ox.parse(blank_text, format=ox.RdfFormat.N_QUADS, lenient=True))

    def canonicalized() -> ox.Dataset:
        dataset = parsed()
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return dataset

    dataset = canonicalized()
    canonical_lines = str(dataset).splitlines()
    data = hash_data("a", "b")
    signature = signer.sign(data)
    public = signer.private_key.public_key()
    proof_value = signed["proof"]["proofValue"]
    key_text = signer.public_key_multibase
    nquads = vc.canonicalize_nquads(credential)

    stages: list[tuple[str, Callable[[], Any]]] = [
        ("copy of the input (JSON data check)", lambda: vc.issuing._json_copy(credential)),
        (
            f"JSON-LD → N-Quads walk ({len(expansion.ground)} ground + {len(expansion.blank)} blank-node quads)",
            lambda: to_quads(credential, cache),
        ),
        ("RDFC-1.0 labels from first-degree hashes (the path taken: every hash unique)",
         lambda: first_degree_canonical_lines(distinct_blank)),
        ("  instead, pyoxigraph: parse blank-node quads into a Dataset", parsed),
        ("  instead, pyoxigraph: RDFC-1.0 canonicalize (parse + Dataset included)", canonicalized),
        ("  instead, pyoxigraph: serialize", lambda: str(dataset)),
        ("merge with ground quads, dedupe, sort", lambda: _sorted_text([*canonical_lines, *set(expansion.ground)])),
        (
            "proof configuration canonical form (whole, 5 quads)",
            lambda: vc.canonicalize(config, safe=True, allow_fallback=False),
        ),
        ("SHA-256 of both canonical forms", lambda: hash_data(nquads, nquads)),
        ("Ed25519 sign", lambda: signer.sign(data)),
        ("Ed25519 verify", lambda: public.verify(signature, data)),
        ("base58btc encode (proofValue)", lambda: vc_keys.encode_multibase_base58btc(signature)),
        ("base58btc decode (proofValue)", lambda: vc_keys.decode_multibase_base58btc(proof_value)),
        ("public key from publicKeyMultibase (cached)", lambda: vc_keys.decode_public_multikey(key_text)),
        ("input size and JSON check of a dict (verify)", lambda: vc.verification._load_input(signed)),
        ("whole sign, alone (not interleaved)", lambda: vc.issue(credential, signer=signer, now=NOW)),
        (
            "whole verify, alone (not interleaved)",
            lambda: vc.verify(signed, resolver=resolver, now=NOW, schema_check=False),
        ),
    ]
    print("\nWhere our time goes (each stage alone, median CPU µs per call):")
    width = max(len(name) for name, _ in stages)
    for name, fn in stages:
        print(f"  {name:<{width}}  {median_cpu(fn, n, rounds):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=25, help="interleaved rounds (default 25)")
    parser.add_argument("--batch", type=int, default=40, help="operations per batch (default 40)")
    parser.add_argument("--peer-warmup", type=int, default=3000, help="peer warm-up operations of each kind")
    parser.add_argument("--warmup", type=int, default=500, help="our warm-up operations of each kind")
    parser.add_argument("--memory-count", type=int, default=10_000)
    parser.add_argument("--no-pin", action="store_true", help="leave both unpinned")
    parser.add_argument("--cpu", type=int, default=None, help="the core to pin both to (default: the last allowed)")
    parser.add_argument(
        "--node-flags",
        default="--max-semi-space-size=128 --single-threaded",
        help=(
            "V8 flags for the peer (default: a 128 MB semi-space and no helper threads on its one core,"
            " measured 10-30%% faster for it than V8's defaults)"
        ),
    )
    parser.add_argument("--quick", action="store_true", help="few rounds, short warm-up, 1,000 for memory")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.batch, args.peer_warmup, args.warmup, args.memory_count = 6, 20, 1000, 200, 1000

    cpu = None
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})

    credential = json.loads(CREDENTIAL.read_text(encoding="utf-8"))
    key = vc.private_key_from_bytes(SEED)
    signer = vc.Signer(f"{DID}#key-1", key)
    did_document = vc.build_did_web_document(DID, [("key-1", key.public_key())])
    resolver = vc.StaticResolver({DID: did_document})
    signed = vc.issue(credential, signer=signer, now=NOW)
    size = len(json.dumps(credential, ensure_ascii=False, separators=(",", ":")).encode())
    ours = vc.canonicalize(credential, safe=True)
    if not ours.fast_path:
        raise SystemExit(f"bench: the credential left the fast path: {ours.fallback_reason}")

    def our_sign() -> Any:
        return vc.issue(credential, signer=signer, now=NOW)

    def our_verify() -> Any:
        result = vc.verify(signed, resolver=resolver, now=NOW, schema_check=False)
        if not result.verified:
            raise SystemExit(f"bench: our own credential did not verify: {result.errors}")
        return result

    peer = Peer(cpu, args.node_flags.split())
    info = peer.ask(
        {
            "op": "setup",
            "contexts": {url: str(CONTEXT_DIR / name) for url, name in BUNDLED_CONTEXT_FILES.items()},
            "credential": credential,
            "verifyCredential": signed,
            "seedHex": SEED.hex(),
            "controller": DID,
            "didDocument": did_document,
            "now": NOW_TEXT,
        }
    )
    same = peer.ask({"op": "canonical"})
    if same["canonical"] != ours.nquads:
        sys.stderr.write("ours:\n" + ours.nquads + "\npeer:\n" + same["canonical"] + "\n")
        raise SystemExit("bench: FAIL canonical N-Quads differ from the peer's")
    if not same["verified"]:
        raise SystemExit("bench: FAIL the peer did not verify Osaamo's credential")
    peer_signed = same["signed"]
    peer_check = vc.verify(peer_signed, resolver=resolver, now=NOW, schema_check=False)
    if not peer_check.verified or peer_signed["proof"]["verificationMethod"] != signer.verification_method:
        raise SystemExit(f"bench: FAIL the peer's signature does not verify here: {peer_check.errors}")
    if peer_signed["proof"]["proofValue"] != signed["proof"]["proofValue"]:
        raise SystemExit("bench: FAIL the peer's signature differs from ours (Ed25519 is deterministic)")

    print(
        f"settings: {'both pinned to core ' + str(cpu) if cpu is not None else 'both unpinned'};"
        f" {args.rounds} interleaved rounds of {args.batch} operations, order alternating;"
        f" warm-up {args.peer_warmup} peer / {args.warmup} ours per operation;"
        f" peer node {info['node']} (V8 {info['v8']}) flags {' '.join(info['execArgv']) or '(none)'},"
        " static-context cache; figures are per-operation medians, CPU time of the process"
    )
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    # warm-up: V8 needs thousands of operations to reach steady state
    for op in ("sign", "verify"):
        peer.batch(op, args.peer_warmup)
    for fn in (our_sign, our_verify):
        batch(fn, args.warmup)

    ops = {"sign": our_sign, "verify": our_verify}
    rows: dict[str, list[tuple[float, float, float, float]]] = {op: [] for op in ops}
    for round_ in range(args.rounds):
        for op, fn in ops.items():
            if round_ % 2 == 0:
                our_cpu, our_wall = batch(fn, args.batch)
                peer_cpu, peer_wall = peer.batch(op, args.batch)
            else:
                peer_cpu, peer_wall = peer.batch(op, args.batch)
                our_cpu, our_wall = batch(fn, args.batch)
            rows[op].append((our_cpu, our_wall, peer_cpu, peer_wall))

    ed_rounds = max(5, args.rounds // 2)
    ed = {
        "py_sign": statistics.median(batch(lambda: key.sign(b"x" * 64), 2000)[0] for _ in range(ed_rounds)) * 1000,
        "py_verify": 0.0,
        "node_sign": statistics.median(peer.batch("ed25519_sign", 2000)[0] for _ in range(ed_rounds)) * 1000,
        "node_verify": statistics.median(peer.batch("ed25519_verify", 2000)[0] for _ in range(ed_rounds)) * 1000,
    }
    signature = key.sign(b"x" * 64)
    public = key.public_key()
    ed["py_verify"] = (
        statistics.median(batch(lambda: public.verify(signature, b"x" * 64), 2000)[0] for _ in range(ed_rounds)) * 1000
    )
    peer.close()

    print(f"credential: {size} bytes, {ours.nquads.count(chr(10))} canonical quads; canonical forms identical,")
    print("  each side verifies the other's signature (and the signatures are byte-identical)")
    print(f"\n{'':8} {'ours CPU':>10} {'peer CPU':>10} {'ratio':>7}   {'ours wall':>10} {'peer wall':>10} {'ratio':>7}")
    result: dict[str, dict[str, float]] = {}
    for op, data in rows.items():
        our_cpu = statistics.median(r[0] for r in data)
        our_wall = statistics.median(r[1] for r in data)
        peer_cpu = statistics.median(r[2] for r in data)
        peer_wall = statistics.median(r[3] for r in data)
        ratio_cpu = statistics.median(r[2] / r[0] for r in data)
        ratio_wall = statistics.median(r[3] / r[1] for r in data)
        worst_cpu = min(r[2] / r[0] for r in data)
        result[op] = {"ours": our_cpu, "peer": peer_cpu, "ratio": ratio_cpu, "worst": worst_cpu}
        print(
            f"{op:8} {our_cpu:8.3f}ms {peer_cpu:8.3f}ms {ratio_cpu:6.1f}x   "
            f"{our_wall:8.3f}ms {peer_wall:8.3f}ms {ratio_wall:6.1f}x   (lowest round CPU ratio {worst_cpu:.1f}x)"
        )
    print(
        f"\nEd25519 floor (CPU): python sign {ed['py_sign']:.1f} µs verify {ed['py_verify']:.1f} µs;"
        f" node sign {ed['node_sign']:.1f} µs verify {ed['node_verify']:.1f} µs"
    )
    sign_floor = result["sign"]["ours"] * 1000 / ed["py_sign"]
    verify_floor = result["verify"]["ours"] * 1000 / ed["py_verify"]
    print(
        f"ours over the floor: sign {sign_floor:.1f}x, verify {verify_floor:.1f}x;"
        f" peer: sign {result['sign']['peer'] * 1000 / ed['node_sign']:.1f}x,"
        f" verify {result['verify']['peer'] * 1000 / ed['node_verify']:.1f}x"
    )

    schema_us = median_cpu(lambda: vc.verify(signed, resolver=resolver, now=NOW, schema_check=True), 20, 5)
    print(f"ours verify with the OB 3.0 JSON Schema check too (not done by the peer): {schema_us / 1000:.3f} ms")

    breakdown(credential, signed, signer, resolver, 200, 7)

    per_credential_bytes, rss_growth_kib = memory_growth(credential, signer, args.memory_count)
    print(
        f"\nmemory over {args.memory_count} signatures: {per_credential_bytes:.1f} B/credential retained"
        f" (tracemalloc), RSS +{rss_growth_kib} KiB"
    )
    digest = hashlib.sha256(ours.nquads.encode()).hexdigest()[:16]
    print(
        f"\nbench: vc_sign {result['sign']['ours']:.3f} ms peer {result['sign']['peer']:.3f} ratio {result['sign']['ratio']:.1f}"
    )
    print(
        f"bench: vc_verify {result['verify']['ours']:.3f} ms peer {result['verify']['peer']:.3f}"
        f" ratio {result['verify']['ratio']:.1f}"
    )
    print(f"bench: vc_sign_over_ed25519 {sign_floor:.1f} x")
    print(f"bench: vc_verify_over_ed25519 {verify_floor:.1f} x")
    print(f"bench: vc_verify_with_schema {schema_us / 1000:.3f} ms")
    print(f"bench: vc_canonical_identical 1 bool (sha256 {digest})")
    print(f"bench: vc_sign_memory_growth {per_credential_bytes:.1f} B/credential")
    print(f"bench: vc_sign_rss_growth {rss_growth_kib} KiB")


if __name__ == "__main__":
    main()
