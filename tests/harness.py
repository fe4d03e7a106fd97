"""What the command-line tests (cli, safety, devices, recipients) share: their
options, the check lines and the final tally."""
import argparse
import os
import shutil
import tempfile

results = []


def check(name, cond, detail=""):
    """One named check: 'ok   NAME', or 'FAIL NAME: detail'."""
    ok = bool(cond)
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)))


def options(name):
    """--datatrail PATH [--work DIR]: the binary (absolute) and an emptied work directory."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--datatrail", required=True)
    ap.add_argument("--work")
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix=f"dt-{name}-")
    shutil.rmtree(work, ignore_errors=True)
    return os.path.abspath(a.datatrail), work


def finish():
    """Prints the tally; the exit status (1 when a check failed)."""
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0
