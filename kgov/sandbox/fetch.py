"""Fetch Kafka's jars and the Apicurio Registry distribution from Maven Central with Maven.

The poms ship inside kgov/sandbox/; Maven keeps its downloads in ~/.m2, and the ready-to-run result is
kept in the kgov cache (a folder per version, completed by an atomic rename), so later runs do nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import deque
from collections.abc import Callable
from pathlib import Path

from kgov.errors import SandboxError
from kgov.sandbox.paths import CachePaths
from kgov.sandbox.render import packaged_text

COMPLETE = ".complete"


def _mvn() -> str:
    exe = shutil.which("mvn")
    if exe is None:
        raise SandboxError(
            "Maven (`mvn`) is needed to fetch Kafka and Apicurio Registry from Maven Central; not found",
            hint="install it (Debian/Ubuntu: apt-get install -y maven openjdk-17-jdk-headless)",
        )
    return exe


def _run_maven(pom_name: str, goal: str, props: dict[str, str], work: Path, what: str,
               on_progress: Callable[[str], None]) -> None:  # fmt: skip
    """Run one Maven goal on a packaged pom, reporting each downloaded file; raise with the log tail."""
    work.mkdir(parents=True, exist_ok=True)
    pom = work / pom_name
    pom.write_text(packaged_text(pom_name), encoding="utf-8")
    # Batch mode prints one "Downloaded from central: URL (size at speed)" line per file: our progress.
    cmd = [_mvn(), "-B", "-f", str(pom), goal, *(f"-D{key}={value}" for key, value in props.items())]
    last: deque[str] = deque(maxlen=40)
    count = 0
    env = dict(os.environ, MAVEN_OPTS=os.environ.get("MAVEN_OPTS", "-Xmx512m"))
    with subprocess.Popen(
        cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, env=env,
    ) as proc:  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            last.append(line)
            if line.startswith("Downloaded from"):
                count += 1
                name = line.split(": ", 1)[-1].split(" (")[0].rsplit("/", 1)[-1]
                on_progress(f"{what}: {count} files downloaded from Maven Central (last: {name})")
        code = proc.wait()
    if code != 0:
        errors = [ln for ln in last if "ERROR" in ln] or list(last)
        raise SandboxError(
            f"Maven could not fetch {what} (exit {code}): " + "\n".join(errors[-12:]),
            hint="check the version, and that Maven Central is reachable (proxy: ~/.m2/settings.xml)",
        )


def _finish(tmp: Path, final: Path) -> None:
    (tmp / COMPLETE).write_text("ok\n", encoding="ascii")
    if final.exists():  # someone else finished first, or an incomplete leftover
        if (final / COMPLETE).is_file():
            shutil.rmtree(tmp, ignore_errors=True)
            return
        shutil.rmtree(final)
    tmp.replace(final)


def kafka_classpath(cache: CachePaths, version: str, on_progress: Callable[[str], None]) -> Path:
    """The folder of Kafka's jars (and an SLF4J binding, and Kafka's tools) for `java -cp 'lib/*'`."""
    lib = cache.kafka_lib(version)
    home = lib.parent
    if (home / COMPLETE).is_file():
        if not (lib / tools_jar(version)).is_file():  # a cache made before the tools were fetched
            _add_tools(cache, version, lib, on_progress)
        return lib
    on_progress(f"Kafka {version}: fetching with Maven")
    tmp = home.with_name(f"{home.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    _fetch_kafka(cache, version, tmp / "lib", on_progress)
    if not any((tmp / "lib").glob(f"kafka_2.13-{version}.jar")):
        raise SandboxError(f"Maven ran but kafka_2.13-{version}.jar is not in {tmp / 'lib'}")
    _finish(tmp, home)
    return lib


def tools_jar(version: str) -> str:
    """Kafka's command-line tools (ReassignPartitionsCommand, ...), run with the broker's classpath:
    java -cp '<lib>/*' org.apache.kafka.tools.reassign.ReassignPartitionsCommand --bootstrap-server ..."""
    return f"kafka-tools-{version}.jar"


def _fetch_kafka(cache: CachePaths, version: str, out: Path, on_progress: Callable[[str], None]) -> None:
    props = {"kafka.version": version, "outputDirectory": str(out), "includeScope": "runtime"}
    _run_maven("kafka-pom.xml", "dependency:copy-dependencies", props, cache.work_dir() / "kafka",
               f"Kafka {version}", on_progress)  # fmt: skip


def _add_tools(cache: CachePaths, version: str, lib: Path, on_progress: Callable[[str], None]) -> None:
    """Put the tools' jar into a complete cache: Maven's copy lands in a folder of its own (most of it
    from ~/.m2 already), and only the jar moves in, by an atomic rename (a running broker's classpath
    was read when it started: a new jar does not disturb it)."""
    on_progress(f"Kafka {version}: fetching its tools with Maven")
    tmp = lib.parent.with_name(f"{lib.parent.name}.tools-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _fetch_kafka(cache, version, tmp, on_progress)
        jar = tmp / tools_jar(version)
        if not jar.is_file():
            raise SandboxError(f"Maven ran but {tools_jar(version)} is not in {tmp}")
        jar.replace(lib / tools_jar(version))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def registry_home(cache: CachePaths, version: str, on_progress: Callable[[str], None]) -> Path:
    """The unpacked Apicurio Registry fast-jar folder (holding quarkus-run.jar)."""
    home = cache.registry_home(version)
    if (home / COMPLETE).is_file():
        return home
    on_progress(f"Apicurio Registry {version}: fetching with Maven")
    tmp = home.with_name(f"{home.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    props = {"apicurio.version": version, "registry.dir": str(tmp)}
    _run_maven("registry-pom.xml", "dependency:unpack", props, cache.work_dir() / "registry",
               f"Apicurio Registry {version}", on_progress)  # fmt: skip
    if not (tmp / "quarkus-run.jar").is_file():
        raise SandboxError(f"Maven ran but {tmp / 'quarkus-run.jar'} is missing (not a fast-jar layout?)")
    _finish(tmp, home)
    return home
