"""Embedding throughput on the GPU against the CPU, in the same run.

``python -m evals.bench_gpu [--passages 2000]`` encodes the same passages (chunk-sized texts of
generated letters) with the packaged all-MiniLM-L6-v2 on CUDA, at the batch size the embedder
chooses for it and at a few others, and on the CPU at its default batch size, and reports
passages/s and the ratio. Where torch sees no GPU it says so and exits 0 (a skip, not a failure).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _passages(n: int) -> list[str]:
    from evals.generator import generate_corpus, render_letter_text

    texts: list[str] = []
    seed = 7
    while len(texts) < n:
        for facts in generate_corpus(50, seed):
            paragraphs = [p.strip() for p in render_letter_text(facts).split("\n\n")]
            texts.extend(p for p in paragraphs if len(p) > 80)
        seed += 1
    return texts[:n]


def _rate(embedder: Any, texts: list[str]) -> float:
    embedder.embed_documents(texts[:64])  # warm-up (CUDA kernels, allocator)
    t = time.perf_counter()
    embedder.embed_documents(texts)
    return len(texts) / (time.perf_counter() - t)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print passages/s on CUDA and CPU, or a skip message without a GPU."""
    parser = argparse.ArgumentParser(prog="python -m evals.bench_gpu",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=2000, help="passages to encode")
    parser.add_argument("--cpu-passages", type=int, default=200,
                        help="passages for the CPU baseline (it is slow)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("SKIP: torch is not installed")
        return 0
    if not torch.cuda.is_available():
        print("SKIP: torch sees no CUDA GPU on this machine; nothing to measure "
              "(the embedder runs on the CPU here)")
        return 0
    from vectorstore.embedder import Embedder, choose_device, default_batch_size

    texts = _passages(max(args.passages, args.cpu_passages))
    device = choose_device()
    result: dict[str, Any] = {"gpu": torch.cuda.get_device_name(0), "auto_device": device,
                              "auto_batch_size": default_batch_size(device), "cuda": {}}
    for batch in sorted({32, 64, 128, default_batch_size("cuda"), 512}):
        embedder = Embedder(device="cuda", batch_size=batch)
        result["cuda"][str(batch)] = round(_rate(embedder, texts[:args.passages]), 1)
    cpu = Embedder(device="cpu")
    result["cpu"] = round(_rate(cpu, texts[:args.cpu_passages]), 1)
    best = result["cuda"][str(default_batch_size("cuda"))]
    result["speedup_at_auto_batch"] = round(best / max(result["cpu"], 1e-9), 1)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"GPU {result['gpu']}; the embedder chooses device={device}, "
          f"batch_size={result['auto_batch_size']}")
    for batch, rate in result["cuda"].items():
        print(f"  cuda batch {batch:>4}: {rate:9.1f} passages/s")
    print(f"  cpu  batch   32: {result['cpu']:9.1f} passages/s")
    print(f"  speed-up at the chosen batch size: {result['speedup_at_auto_batch']}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
