"""The closest Python peer of a Flywheel run, for scripts/bench.sh: Hugging Face datatrove
reading the same interaction logs (message contents joined into one text), its
PIIFormatter (e-mail and IP addresses), and a JSONL writer. No feedback join, no scoring,
no dedup: it does far less than a run.

    python datatrove_peer.py LOGS_DIR OUT_DIR WORKERS

Prints `PEER <workers> <seconds> <documents>`.
"""

import os
import sys
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.formatters import PIIFormatter
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter


def adapter(self, data: dict, path: str, id_in_file) -> dict:
    messages = data.get("messages") or []
    return {
        "text": "\n".join((m.get("content") or "") for m in messages),
        "id": data.get("interaction_id") or f"{path}/{id_in_file}",
        "metadata": {"task": data.get("task"), "tenant_id": data.get("tenant_id")},
    }


def main() -> None:
    logs, out, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
    files = sorted(
        os.path.relpath(os.path.join(d, f), logs)
        for d, _, fs in os.walk(os.path.join(logs, "interactions"))
        for f in fs
        if ".jsonl" in f
    )
    # One task per input file, run by `workers` processes.
    listing = os.path.join(out, "files.txt")
    os.makedirs(out, exist_ok=True)
    with open(listing, "w") as f:
        f.write("\n".join(files) + "\n")
    executor = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(logs, paths_file=listing, adapter=adapter, compression="infer"),
            PIIFormatter(),
            JsonlWriter(os.path.join(out, "data"), compression=None),
        ],
        tasks=len(files),
        workers=workers,
        logging_dir=os.path.join(out, "logs"),
    )
    start = time.perf_counter()
    executor.run()
    seconds = time.perf_counter() - start
    written = 0
    for d, _, fs in os.walk(os.path.join(out, "data")):
        for f in fs:
            with open(os.path.join(d, f), "rb") as fh:
                written += sum(1 for _ in fh)
    print(f"PEER {workers} {seconds:.3f} {written}")


if __name__ == "__main__":
    main()
