"""What the team tests share: the test server's database and roles, setting a campaign
up on it, opening an annotator's session, and reading back what the server holds."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from imgmarker.kernel.experiment.loader import load_experiment
from imgmarker.kernel.plugins.host import create_plugin_host
from imgmarker.kernel.store.outbox import OutboxReader
from imgmarker.kernel.team import admin
from imgmarker.kernel.team.connection import connect
from imgmarker.kernel.team.fingerprint import fingerprints
from imgmarker.kernel.team.joining import open_team_session

LEAD = "lead"
LEAD_PASSWORD = "lead-secret"


@dataclass
class TeamServer:
    """One test's database on the cluster, with a password file per role."""

    cluster: object
    dbname: str
    folder: Path
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def server(self) -> str:
        """What an experiment's ``campaign.server`` says: no role, no password."""
        return self.cluster.conninfo(self.dbname)

    def passfile(self, role: str) -> Path:
        path = self.folder / f"{role}.pgpass"
        path.write_text(f"*:{self.cluster.port}:*:{role}:{self.passwords[role]}\n")
        path.chmod(0o600)
        return path

    def overrides(self, role: str) -> dict[str, str]:
        """Connection keywords an annotator's own environment would supply."""
        return {"user": role, "passfile": str(self.passfile(role))}

    def env(self, role: str) -> dict[str, str]:
        return {**os.environ, "PGUSER": role, "PGPASSFILE": str(self.passfile(role))}

    def admin(self):
        return self.cluster.admin(self.dbname)

    def experiment(self, folder: Path, images: int = 6, plan: str = "", name: str = "team") -> Path:
        """An experiment of ``images`` small PNG files with a campaign on this server."""
        from PIL import Image

        (folder / "images").mkdir(parents=True, exist_ok=True)
        for i in range(images):
            Image.new("L", (16, 12), color=10 * i).save(folder / "images" / f"img{i:02d}.png")
        text = (f"schema_version: 1\nname: {name}\nimages: {{directory: images}}\norder: {{mode: sorted}}\n"
                "groups: [{name: BCG, max: 1}, {name: star}]\n"
                "categories: {exclusive: true, items: [{name: cluster}, {name: empty}, {name: bad}]}\n"
                f"output: {{directory: results}}\ncampaign:\n  server: \"{self.server}\"\n"
                + "".join(f"  {line}\n" for line in plan.splitlines() if line.strip()))
        path = folder / "experiment.yaml"
        path.write_text(text)
        return path


HOST = None


def plugin_host():
    global HOST  # the built-in plugins, loaded once for the whole test run
    if HOST is None:
        HOST = create_plugin_host()
    return HOST


def set_up(server, folder: Path, plan: str, images: int = 6, roles=("ana", "bob", "carol")):
    """An experiment with a created campaign and invited annotators; its Experiment."""
    path = server.experiment(folder, images=images, plan=plan)
    experiment = load_experiment(path, plugin_host().registry)
    with connect(experiment.campaign, server.overrides(LEAD)) as conn:
        admin.create_or_upgrade(conn, experiment.campaign)
        files = sorted((folder / "images").iterdir())
        rows = [(p.name, *(fp or (None, None)), i) for i, (p, fp) in enumerate(zip(files, fingerprints(files)))]
        admin.register_images(conn, experiment.campaign, rows)
        for invited in admin.invite(conn, experiment.campaign, list(roles)):
            server.passwords[invited.role] = invited.password
    return experiment


def join(server, experiment, role: str, folder: Path, **options):
    """``role``'s session on ``experiment`` with results in ``folder`` (their machine)."""
    options.setdefault("export_delay", None)
    options.setdefault("interval", 0.02)
    return open_team_session(experiment, user=role, output=folder, host=plugin_host(),
                             overrides=server.overrides(role), **options)


def server_actions(server, role: str, schema: str = "imgmarker") -> list[tuple]:
    with server.admin() as conn:
        return conn.execute(f"SELECT seq, image, pass, kind, description, changes::text, client_time FROM {schema}.actions "
                            "WHERE annotator = %s ORDER BY seq", (role,)).fetchall()


def server_marks(server, role: str, schema: str = "imgmarker") -> list[tuple]:
    with server.admin() as conn:
        return conn.execute(f"SELECT image, pass, grp, label, x, y FROM {schema}.marks WHERE annotator = %s "
                            "ORDER BY image, pass, mark_id", (role,)).fetchall()


def server_states(server, role: str, schema: str = "imgmarker") -> list[tuple]:
    with server.admin() as conn:
        return conn.execute(f"SELECT image, pass, categories, comment, favorite, seen FROM {schema}.image_state "
                            "WHERE annotator = %s AND (seen OR cardinality(categories) > 0 OR comment <> '' "
                            "OR favorite) ORDER BY image, pass", (role,)).fetchall()


def local_actions(store_path: Path) -> list[tuple]:
    import json

    reader = OutboxReader(store_path)
    try:
        return [(e.seq, e.image, e.pass_index, e.kind, e.description, json.dumps(json.loads(e.changes)), e.time)
                for e in reader.events()]
    finally:
        reader.close()


def local_marks(session_or_store) -> list[tuple]:
    store = getattr(session_or_store, "store", session_or_store)
    return [(r.image, r.pass_index, r.group, r.label, r.x, r.y) for r in store.mark_rows()]


def local_states(store) -> list[tuple]:
    return sorted((image, p, list(s.categories), s.comment, s.favorite, s.seen)
                  for (image, p), s in store.image_states().items()
                  if s.seen or s.categories or s.comment or s.favorite)


def normalised(actions):
    """Server JSON text and local JSON text compared as data."""
    import json

    return [(a[0], a[1], a[2], a[3], a[4], json.loads(a[5]), a[6]) for a in actions]
