"""``lfdn-prep``: turn downloaded deblurring / deraining benchmarks into BasicSR folders and LMDBs.

One subcommand per benchmark (see ``python -m datasets_prep --help`` and docs/datasets.md).
"""
