"""flask backup / flask restore: the county's daily copy, its check, and getting it back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app


def register(app: Flask) -> None:
    @app.cli.command("backup")
    @click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="directory for the backup and its manifest (default: instance/backups)")
    @click.option("--check", "check_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  default=None, help="do not back up: restore FILE into a scratch database and verify it")
    @click.option("--server", default=None, help="PostgreSQL server for --check's scratch database "
                  "(default: the portal's own)")
    def backup_command(out_dir: Path | None, check_file: Path | None, server: str | None):
        """Write a consistent copy of the database while the portal serves, with a manifest (or --check one)."""
        from portal.core import backup

        url = current_app.config["SQLALCHEMY_DATABASE_URI"]
        try:
            if check_file is not None:
                result = backup.check(check_file, server or url)
                if not result.ok:
                    for problem in result.problems:
                        click.echo(f"backup check FAILED: {problem}", err=True)
                    sys.exit(1)
                manifest = backup.Manifest.read(check_file)
                click.echo(f"backup check ok: {check_file.name} restores with {sum(manifest.tables.values())} "
                           f"rows in {len(manifest.tables)} tables as the manifest says; audit chain whole "
                           f"({result.audit_rows} rows, head seq {manifest.audit_seq})")
                return
            target, manifest = backup.backup(url, out_dir or Path(current_app.instance_path) / "backups")
        except backup.BackupError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"backup written: {target} ({sum(manifest.tables.values())} rows in {len(manifest.tables)} "
                   f"tables, audit head seq {manifest.audit_seq}); manifest {backup.manifest_path(target)}")

    @app.cli.command("restore")
    @click.argument("backup_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--into", "into", required=True, help="URL of an EMPTY database to restore into")
    def restore_command(backup_file: Path, into: str):
        """Restore a backup into an empty database (a non-empty one is refused) and verify its counts."""
        from portal.core import backup

        try:
            manifest = backup.restore(backup_file, into)
        except backup.BackupError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"restored {backup_file.name}: {sum(manifest.tables.values())} rows in {len(manifest.tables)} "
                   f"tables match the manifest; audit head seq {manifest.audit_seq}")
