"""`citycert demo`: migrate, load the bundled demo data, optionally serve the portal."""

from __future__ import annotations

import os

import typer

from citycert.cli.common import fail
from citycert.cli.db_cmd import DATABASE_URL_HELP, open_db, resolve_url, say
from citycert.services.context import ServiceContext, ServiceError, cli_actor
from citycert.services.demo import DEMO_USERS, ensure_demo_users, load_demo
from citycert.services.demo_story import STORY_USERS, StoryReport, load_story
from citycert.settings import ENV_PREFIX, SettingsError, get_settings
from citycert.store import migrate


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        database_url: str | None = typer.Option(None, "--database-url", help=DATABASE_URL_HELP),
        serve: bool = typer.Option(False, "--serve", help="Then serve the portal on it."),
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port"),
        publish: bool = typer.Option(
            True, "--publish/--no-publish", help="Show the demo cycles on the public portal."
        ),
        story: bool = typer.Option(
            True,
            "--story/--no-story",
            help="Play the demo story: sample cycles submitted, verified and certified.",
        ),
    ) -> None:
        """Load real open data (Los Angeles, US cities, Korean census), two sample cities and
        their certification story (demo logins; never with production settings).

        Safe to run again: data already in place is left alone and nothing new is logged.
        """
        url = resolve_url(database_url)
        db = open_db(url, require_migrated=False)
        try:
            migrate.upgrade(db)
            ctx = ServiceContext(db=db, actor=cli_actor())
            try:
                report = load_demo(ctx, publish=publish)
                logins = _demo_logins(ctx, url)
                # The story acts as the demo logins, so it runs only where they exist.
                played = (
                    load_story(ctx, environment=_environment(url))
                    if logins and story
                    else StoryReport()
                )
            except ServiceError as exc:
                fail(str(exc))
        finally:
            db.dispose()
        safe = db.engine.url.render_as_string(hide_password=True)
        if report.changed or played.changed:
            say(
                f"demo data loaded into {safe}: {report.cities_created} new cities, "
                f"{report.cycles} reporting cycles, {report.created} figures added, "
                f"{report.updated} updated (데모 데이터를 불러왔습니다)"
            )
        else:
            say(f"demo data already in {safe}; nothing changed (변경 사항 없음)")
        if report.skipped:
            say(
                f"skipped {len(report.skipped)} figure(s) not in the installed catalogues "
                f"(카탈로그에 없는 항목 {len(report.skipped)}건 제외): "
                + ", ".join(report.skipped[:10])
                + (" ..." if len(report.skipped) > 10 else "")
            )
        if played.changed:
            say(f"demo story played (데모 시나리오 실행): {len(played.steps)} steps; certificates:")
            for step in played.steps:
                if "certificate" in step:
                    say(f"  {step}")
        if logins:
            say("demo logins (데모 로그인) – login / password:")
            for u in (*DEMO_USERS, *STORY_USERS):
                say(f"  {u.login:<22} {u.password:<27} {u.role.value}")
        if serve:
            _serve(url, host, port)


def _environment(url: str) -> str:
    try:
        return get_settings(database_url=url).environment
    except SettingsError:  # e.g. production without a secret key: still production here
        return os.environ.get(f"{ENV_PREFIX}ENVIRONMENT", "development").strip().lower()


def _demo_logins(ctx: ServiceContext, url: str) -> bool:
    """Make the demo logins, except on a production portal (their passwords are public)."""
    if _environment(url) == "production":
        say(
            "production settings: no demo logins made and no demo story played "
            "(운영 환경: 데모 계정과 데모 시나리오를 만들지 않음)"
        )
        return False
    ensure_demo_users(ctx)
    return True


def _serve(url: str, host: str, port: int) -> None:
    from citycert.cli.serve_cmd import check_ready, demo_logins, run_server

    url = check_ready(url)
    say(f"serving the portal at http://{host}:{port}/ (Ctrl+C to stop)")
    say(demo_logins(url))
    run_server(url, host, port, workers=1)
