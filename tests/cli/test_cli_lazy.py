"""The command modules load when their command runs, and every command is listed."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from click.testing import CliRunner

import surveyapp.cli as cli


def test_every_modules_commands_are_in_the_lazy_map():
    registered: dict[str, str] = {}
    for info in pkgutil.iter_modules(cli.__path__):
        module = importlib.import_module(f"surveyapp.cli.{info.name}")
        for name, command in cli.main.commands.items():
            if getattr(command.callback, "__module__", None) == module.__name__:
                registered[name] = module.__name__
    assert registered == cli.COMMANDS


def test_a_command_imports_only_its_own_module():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from surveyapp.cli import main\n"
        "result = CliRunner().invoke(main, ['credit', 'rules', 'validate'])\n"
        "assert result.exit_code == 0, result.output\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('surveyapp.cli.'))\n"
        "heavy = sorted(m for m in ('reportlab', 'scipy', 'analysis') if m in sys.modules)\n"
        "print(loaded, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['surveyapp.cli.base', 'surveyapp.cli.credit'] []"


def test_help_lists_every_command():
    result = CliRunner().invoke(cli.main, ["--help"])
    assert result.exit_code == 0
    for name in cli.COMMANDS:
        assert f"  {name} " in result.output
