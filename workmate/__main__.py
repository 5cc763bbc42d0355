"""`python -m workmate <command>` runs a management command, like manage.py."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
    from django.core.management import execute_from_command_line

    from workmate.ops.startup import load_settings_or_exit

    load_settings_or_exit()

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
