"""How many partitions the sandbox can hold on this machine, estimated from the brokers' limits.

Every partition replica keeps its segment's log file open in its broker and maps its two index files
(offset and time) into memory. So a broker holds about

    replicas per broker = min((open-file limit - BASE_FILES) / FILES_PER_REPLICA,
                              (vm.max_map_count - BASE_MAPS) / MAPS_PER_REPLICA)

and the cluster about `replicas per broker x brokers / replication factor` partitions. Measured on the 4.3.1
sandbox broker: 2,000 new partitions took 1,999 more open files (.log) and 4,000 more mappings (.index,
.timeindex) on top of an idle broker's ~125 files and ~410 mappings; the base values below leave a
margin for client connections. One segment per partition is assumed: every rolled segment keeps its
file open too, so topics with data need proportionally more.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

BASE_FILES = 1000  # an idle broker holds ~125 (jars, sockets, metadata log): margin for connections
FILES_PER_REPLICA = 1
BASE_MAPS = 2000  # an idle JVM broker has ~410 mappings (heap, code cache, libraries)
MAPS_PER_REPLICA = 2
MAX_MAP_COUNT_FILE = Path("/proc/sys/vm/max_map_count")


@dataclass(frozen=True)
class Capacity:
    open_file_limit: int
    max_map_count: int | None
    replicas_per_broker: int
    brokers: int
    replication_factor: int

    @property
    def partitions(self) -> int:
        """Partitions of the default replication factor the whole sandbox can hold."""
        return self.replicas_per_broker * self.brokers // self.replication_factor

    @property
    def bound_by(self) -> str:
        by_files = (self.open_file_limit - BASE_FILES) // FILES_PER_REPLICA
        return "open files" if self.replicas_per_broker == by_files else "vm.max_map_count"


def max_map_count() -> int | None:
    try:
        return int(MAX_MAP_COUNT_FILE.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def estimate(open_file_limit: int, maps: int | None, brokers: int, replication_factor: int) -> Capacity:
    per_broker = max(0, (open_file_limit - BASE_FILES) // FILES_PER_REPLICA)
    if maps is not None:
        per_broker = min(per_broker, max(0, (maps - BASE_MAPS) // MAPS_PER_REPLICA))
    return Capacity(open_file_limit, maps, per_broker, brokers, replication_factor)
