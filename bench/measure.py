"""Run a command and report its peak memory, measured from a small process of its own.

    python -m bench.measure RESULT.json -- COMMAND [ARGS...]

Linux keeps a process's memory high-water mark across `exec`, so a command started straight
from a large benchmark process would report the benchmark's own size. This launcher is a fresh,
small interpreter: it starts the command, waits for it with `wait4` and writes
`{"returncode", "peak_rss_mb", "seconds"}` to RESULT.json. The peak is the largest resident set
of the command and of the worker processes it waited for (not their sum). The command's output
goes to this process's stdout and stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> None:
    out, sep, *cmd = sys.argv[1:]
    if sep != "--" or not cmd:
        raise SystemExit("usage: python -m bench.measure RESULT.json -- COMMAND [ARGS...]")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "returncode": proc.returncode,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "seconds": round(time.perf_counter() - start, 3),
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)
    sys.exit(0)


if __name__ == "__main__":
    main()
