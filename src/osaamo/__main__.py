"""The `osaamo` console command: Django's management commands with Osaamo's settings.

A command may be written with hyphens: `osaamo import-courses` runs `import_courses`.
"""

import os
import sys


def command_line(argv: list[str]) -> list[str]:
    """`argv` with a hyphenated command name spelt as Django's (command names never contain hyphens)."""
    if len(argv) > 1 and not argv[1].startswith("-") and "-" in argv[1]:
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "osaamo.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_line(sys.argv))


if __name__ == "__main__":
    main()
