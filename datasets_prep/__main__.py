"""``python -m datasets_prep ...`` is the same as ``lfdn-prep ...``."""

from datasets_prep.cli import main

if __name__ == '__main__':
    main()
