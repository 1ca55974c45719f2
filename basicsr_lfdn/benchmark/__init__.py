"""``lfdn-benchmark``: parameters, MACs, latency, throughput, peak memory and achieved FLOP/s.

``cli`` parses the options and runs every configuration in a fresh process (``worker``), whose
reply ``tables`` turns into rows and Markdown; ``config`` holds what a configuration and a result
are, ``network_spec`` what ``--network`` accepts.
"""

from basicsr_lfdn.benchmark.cli import main

__all__ = ['main']
