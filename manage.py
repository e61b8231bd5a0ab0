#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    # Commands run by hand are local work: a missing SECRET_KEY falls back to a local-only key
    # (which `check --deploy` flags). The WSGI entry point that serves production has no fallback.
    os.environ.setdefault("GATEHOUSE_LOCAL", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
