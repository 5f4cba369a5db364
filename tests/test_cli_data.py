"""`holdfast import`, `import-checkins`, `export` and `backup` on the command line: output, exit codes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot import cli
from storage.db import Database, open_database
from storage.models import CheckIn, Customer
from tests import cli_runner
from tests.cli_runner import Ran
from tests.slack_stub import SlackStub


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Settings for a command: an empty database, workspace T0001, no Slack token, no stray .env."""
    monkeypatch.chdir(tmp_path)
    return {
        "DATABASE_URL": database_url,
        "SLACK_TEAM_ID": "T0001",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
    }


@pytest.fixture
def opened(database_url: str) -> Iterator[Database]:
    database = open_database(database_url)
    yield database
    database.dispose()


def holdfast(env: dict[str, str], *args: str) -> Ran:
    """`holdfast ARGS` in this process, in the current directory, with only the settings in `env`."""
    return cli_runner.holdfast(list(args), Path.cwd(), **env)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def customers_in(database: Database) -> list[Customer]:
    with database.session() as session:
        return list(session.exec(select(Customer).order_by(col(Customer.name_key))).all())


@pytest.mark.parametrize("command", ["import", "import-checkins", "export", "backup"])
def test_every_command_has_help(command: str, tmp_path: Path) -> None:
    result = cli_runner.holdfast([command, "--help"], tmp_path)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_import_reports_what_it_did(env: dict[str, str], tmp_path: Path, opened: Database) -> None:
    path = write(tmp_path / "customers.csv", "name,owner,arr\nAcme,U0ANN,100\n[bold]Beta,U0BOB,\n")
    dry = holdfast(env, "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "Dry run: customers.csv is valid. It would add 2 customers and update 0 (0 unchanged) in T0001. "
        "Nothing was written.\n"
    )
    assert customers_in(opened) == []
    done = holdfast(env, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Imported customers.csv into T0001: 2 customers added, 0 updated, 0 unchanged; 2 new owners.\n"
    )
    assert [c.name for c in customers_in(opened)] == ["[bold]Beta", "Acme"]


def test_import_says_which_fields_it_changes(env: dict[str, str], tmp_path: Path, opened: Database) -> None:
    holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner,arr\nAcme,U0ANN,100\nBeta,U0BOB,\n")))
    path = write(
        tmp_path / "again.csv",
        "name,owner,arr,active\nAcme,U0BOB,150.5,false\nBeta,U0BOB,,\nGamma,U0ANN,,no\n",
    )
    dry = holdfast(env, "import", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout == (
        "Dry run: again.csv is valid. It would add 1 customers (1 inactive) and update 1 (1 unchanged) in "
        "T0001. Nothing was written.\n"
        "Would change: owner 1, arr 1, status 1 (1 made inactive, 0 reactivated).\n"
    )
    assert [c.active for c in customers_in(opened)] == [True, True]
    done = holdfast(env, "import", str(path))
    assert done.stdout == (
        "Imported again.csv into T0001: 1 customers added (1 inactive), 1 updated, 1 unchanged; "
        "0 new owners.\n"
        "Changed: owner 1, arr 1, status 1 (1 made inactive, 0 reactivated).\n"
    )
    assert [(c.name, c.active) for c in customers_in(opened)] == [
        ("Acme", False),
        ("Beta", True),
        ("Gamma", False),
    ]


def test_bad_rows_exit_1_listing_each_line_literally(
    env: dict[str, str], tmp_path: Path, opened: Database
) -> None:
    path = write(tmp_path / "c.csv", "name,owner,arr\n[bold]Acme,U0ANN,\n[BOLD]acme,U0ANN,\nBeta,bob,-1\n")
    result = holdfast(env, "import", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "holdfast: c.csv: 2 bad rows; nothing was imported",
        "  line 3: name '[BOLD]acme' is already on line 2",
        "  line 4: owner 'bob' is neither a Slack user ID (like U0123ABCD) nor an e-mail address; "
        "arr '-1' is negative",
    ]
    assert customers_in(opened) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holdfast: c.csv: the file is empty; its first row must name the columns"),
        ("name,owner\nZürich,U0ANN\n".encode("latin-1"), "holdfast: c.csv: the file is not UTF-8 text"),
        (
            b'name,owner\nBeta,U0BOB\n"Acme,U0ANN\nGamma,U0ANN\n',
            "holdfast: c.csv: line 3: not valid CSV (unexpected end of data)",
        ),
    ],
)
def test_unreadable_files_exit_1(env: dict[str, str], tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(content)
    result = holdfast(env, "import", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == message
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(env: dict[str, str], tmp_path: Path) -> None:
    result = holdfast(env, "import", str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    # Rich wraps the message in a box at the terminal's width, so where it breaks depends on the path.
    assert "does not exist" in " ".join(result.stderr.replace("│", " ").split())


def test_without_a_workspace_the_import_says_how_to_name_one(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")
    result = holdfast({**env, "SLACK_TEAM_ID": ""}, "import", str(path))
    assert result.returncode == 1
    assert result.stderr == (
        "holdfast: which workspace? Pass --team T0123ABCD, or set SLACK_TEAM_ID, or set SLACK_BOT_TOKEN so "
        "Holdfast can ask Slack\n"
    )
    bad = holdfast(env, "import", str(path), "--team", "acme")
    assert bad.returncode == 1
    assert bad.stderr == "holdfast: --team 'acme' is not a Slack workspace ID (like T0123ABCD)\n"


def test_team_option_wins(env: dict[str, str], tmp_path: Path, opened: Database) -> None:
    path = write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")
    assert holdfast(env, "import", str(path), "--team", "T0TWO").returncode == 0
    assert [c.team_id for c in customers_in(opened)] == ["T0TWO"]


def test_the_workspace_comes_from_slack_with_a_token_and_emails_resolve(
    env: dict[str, str], tmp_path: Path, opened: Database
) -> None:
    with SlackStub(team_id="T0SLACK") as slack:
        slack.add_user("U0ANN", email="ann@example.com")
        path = write(tmp_path / "c.csv", "name,owner\nAcme,ann@example.com\n")
        slack_env = {
            **env,
            "SLACK_TEAM_ID": "",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.api_url,
        }
        result = holdfast(slack_env, "import", str(path))
        assert result.returncode == 0, result.stderr
        assert [(c.team_id, c.owner_user_id) for c in customers_in(opened)] == [("T0SLACK", "U0ANN")]
        assert len(slack.calls_to("auth.test")) == 1
        assert slack.calls_to("users.lookupByEmail")[0].headers["Authorization"] == "Bearer xoxb-test"

        slack.on("users.lookupByEmail", lambda call: {"ok": False, "error": "missing_scope"})
        refused = holdfast(
            slack_env, "import", str(write(tmp_path / "d.csv", "name,owner\nBeta,x@example.com\n"))
        )
        assert refused.returncode == 1
        assert refused.stderr == (
            "holdfast: d.csv: nothing was imported: Slack refused users.lookupByEmail (missing_scope)\n"
        )


def test_email_owners_without_a_token_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "name,owner\nAcme,ann@example.com\n")
    result = holdfast(env, "import", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(
        "holdfast: c.csv: people are given by e-mail address (line 2): set SLACK_BOT"
    )


def test_import_checkins_reports_skips(env: dict[str, str], tmp_path: Path, opened: Database) -> None:
    holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")))
    path = write(
        tmp_path / "k.csv", "customer,date,note,verdict\nAcme,2026-01-05,hi,holds\nAcme,2026-01-06,,\n"
    )
    first = holdfast(env, "import-checkins", str(path))
    assert first.returncode == 0, first.stderr
    assert first.stdout == (
        "Imported k.csv into T0001: 2 check-ins added, 0 skipped as stored already; 1 customers updated.\n"
    )
    again = holdfast(env, "import-checkins", str(path), "--dry-run")
    assert again.stdout == (
        "Dry run: k.csv is valid. It would add 0 check-ins (2 stored already) and update 0 customers in "
        "T0001. Nothing was written.\n"
    )
    unknown = holdfast(
        env, "import-checkins", str(write(tmp_path / "x.csv", "customer,date\nNope,2026-01-05\n"))
    )
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[1] == "  line 2: customer 'Nope' is not a customer of this workspace"
    with opened.session() as session:
        assert len(session.exec(select(CheckIn)).all()) == 2


def test_large_files_show_progress_and_import_the_same(
    env: dict[str, str], tmp_path: Path, opened: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "PROGRESS_MIN_BYTES", 0)
    rows = "".join(f"Customer {n},U0ANN\n" for n in range(50))
    result = holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner\n" + rows)))
    assert result.returncode == 0, result.stderr
    assert len(customers_in(opened)) == 50


def test_export_writes_four_files(env: dict[str, str], tmp_path: Path) -> None:
    holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")))
    result = holdfast(env, "export", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Exported 1 customers and 0 check-ins of T0001 to {tmp_path / 'out'}: customers.csv, checkins.csv, "
        "customers.json, checkins.json\n"
    )
    assert (tmp_path / "out" / "customers.csv").read_text() == (
        "name,owner,reason,reason_theme,since,renewal_date,arr,cadence_days,active\nAcme,U0ANN,,,,,,,true\n"
    )


def test_export_asks_which_of_several_workspaces(env: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")
    holdfast(env, "import", str(path))
    holdfast(env, "import", str(path), "--team", "T0TWO")
    result = holdfast({**env, "SLACK_TEAM_ID": ""}, "export", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr == (
        "holdfast: export failed: the database holds several workspaces (T0001, T0TWO): "
        "choose one with --team\n"
    )


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = holdfast({"DATABASE_URL": "postgresql://u@db.invalid/holdfast"}, "backup", str(tmp_path / "b"))
    assert result.returncode == 1
    assert result.stderr == (
        "holdfast: backup copies SQLite databases; this one is postgresql. Use pg_dump instead, e.g. "
        'pg_dump --format=custom --file=holdfast.dump "$DATABASE_URL"\n'
    )


def test_backup_copies_sqlite_and_refuses_to_overwrite(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"DATABASE_URL": sqlite_url, "SLACK_TEAM_ID": "T0001", "SLACK_BOT_TOKEN": ""}
    holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")))
    target = tmp_path / "backups" / "holdfast-copy.db"
    result = holdfast(env, "backup", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Backed up the database to {target} (")
    assert result.stdout.endswith(" bytes: 1 customers, 0 check-ins).\n")
    copy = open_database(f"sqlite:///{target}")
    assert [c.name for c in customers_in(copy)] == ["Acme"]
    copy.dispose()
    again = holdfast(env, "backup", str(target))
    assert again.returncode == 1
    assert again.stderr == f"holdfast: {target} exists already; choose a new file name\n"
    missing = holdfast(
        {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}, "backup", str(tmp_path / "x.db")
    )
    assert missing.returncode == 1
    assert missing.stderr == f"holdfast: there is no database file at {tmp_path / 'none.db'}\n"


def test_an_owner_who_may_not_use_holdfast_rejects_the_file_naming_the_line(
    env: dict[str, str], tmp_path: Path, opened: Database
) -> None:
    with SlackStub() as slack:
        slack.add_user("U0ANN", email="ann@example.com")
        slack.add_user("U0GUEST", email="guest@example.com", is_restricted=True)
        slack_env = {**env, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": slack.api_url}
        path = write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\nBeta,guest@example.com\nGamma,U0GUEST\n")
        result = holdfast(slack_env, "import", str(path))
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            "holdfast: c.csv: 2 bad rows; nothing was imported",
            "  line 3: owner guest@example.com cannot use Holdfast (guest), so cannot own customers",
            "  line 4: owner U0GUEST cannot use Holdfast (guest), so cannot own customers",
        ]
        assert customers_in(opened) == []

        slack.on("users.info", lambda call: {"ok": False, "error": "ratelimited"})
        failed = holdfast(slack_env, "import", str(write(tmp_path / "d.csv", "name,owner\nAcme,U0ANN\n")))
        assert failed.returncode == 1
        assert (
            failed.stderr == "holdfast: d.csv: nothing was imported: Slack refused users.info (ratelimited)\n"
        )
        assert customers_in(opened) == []


def test_without_a_token_id_owners_are_imported_with_a_warning(
    env: dict[str, str], tmp_path: Path, opened: Database
) -> None:
    result = holdfast(env, "import", str(write(tmp_path / "c.csv", "name,owner\nAcme,U0ANN\n")))
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "holdfast: warning: owners were not checked with Slack (no SLACK_BOT_TOKEN); the digest job checks "
        "each owner before sending and skips anyone who may not use Holdfast\n"
    )
    assert [c.owner_user_id for c in customers_in(opened)] == ["U0ANN"]
