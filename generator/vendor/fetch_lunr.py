"""Re-vendor lunr.js: fetch the pinned release from the npm registry and check it.

    python -m generator.vendor.fetch_lunr

Uses the machine's `npm pack` (so its configured registry), verifies the
tarball's sha512 integrity against the pin below, and writes lunr.js,
lunr.min.js and the licence into generator/vendor/lunr/. `build` never needs
the network: the files are committed.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "lunr"
VERSION = "2.3.9"
INTEGRITY = "sha512-zTU3DaZaF3Rt9rhN3uBMGQD3dD2/vFQqnvZCDv4dl5iOzq2IZQqTxu90r4E5J+nP70J3ilqVCrbho2eWaeW8Ow=="
FILES = ("lunr.js", "lunr.min.js", "LICENSE")
TARGET = Path(__file__).resolve().parent / "lunr"


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def fetch(target: Path = TARGET) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        tarball = Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        data = tarball.read_bytes()
        if integrity_of(data) != INTEGRITY:
            raise SystemExit(f"{tarball.name}: checksum mismatch, refusing to vendor it")
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            for name in FILES:
                member = tar.extractfile(f"package/{name}")
                (target / name).write_bytes(member.read())
        (target / "VERSION").write_text(f"{PACKAGE} {VERSION} {INTEGRITY}\n", encoding="ascii")
    print(f"vendored {PACKAGE} {VERSION} into {target}", file=sys.stderr)


if __name__ == "__main__":
    fetch()
