"""Where the team stands: per annotator, per image, and overall.

Read from counters the server keeps as actions arrive (looks per image, seen and
marked per annotator), so a campaign of a million images and fifty annotators answers
in a few aggregate scans, not by counting every mark.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

import psycopg

from imgmarker.kernel.experiment.config import CampaignPlan
from imgmarker.kernel.team.connection import TeamError, classify, q


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def campaign_status(conn: psycopg.Connection, plan: CampaignPlan, *, images: bool = False) -> dict[str, Any]:
    """The campaign's status as plain data (what ``campaign status --json`` prints)."""
    try:
        with conn.transaction():  # one consistent view
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = conn.execute(q("SELECT value FROM {s}.meta WHERE key = 'plan'", plan)).fetchone()
            if row is None:
                raise TeamError("refused", f"no campaign {plan.schema!r} on this server; run "
                                           "'imgmarker campaign create' first")
            server_plan = row[0]
            k = int(server_plan["looks_per_image"])
            now = conn.execute("SELECT now()").fetchone()[0]
            leases = dict(conn.execute(q(
                "SELECT annotator, count(*) FROM {s}.leases WHERE done_at IS NULL AND NOT expired "
                "AND expires_at >= now() GROUP BY annotator", plan)).fetchall())
            people = conn.execute(q(
                "SELECT name, local_user, host, seen, marked, coalesce(last_action, last_contact), last_contact, "
                "greatest(local_seq - synced_seq, 0) FROM {s}.annotators ORDER BY name", plan)).fetchall()
            target = k if server_plan["mode"] == "shared" else max(len(people), 1)
            totals = conn.execute(q(
                "SELECT count(*), count(*) FILTER (WHERE gold), coalesce(sum(looks), 0), "
                "count(*) FILTER (WHERE NOT gold AND (looks >= %s OR retired_at IS NOT NULL)), "
                "count(*) FILTER (WHERE retired_at IS NOT NULL), "
                "coalesce(sum(greatest(%s - looks, 0)) FILTER (WHERE NOT gold AND retired_at IS NULL), 0), "
                "count(*) FILTER (WHERE looks > %s AND NOT gold) FROM {s}.images", plan), (target, target, target)
            ).fetchone()
            listing = []
            if images:
                listing = [{"name": name, "looks": looks, "retired": _iso(retired), "gold": gold,
                            "leased": leased}
                           for name, looks, retired, gold, leased in conn.execute(q(
                               "SELECT i.name, i.looks, i.retired_at, i.gold, i.open_looks - i.looks "
                               "FROM {s}.images i ORDER BY i.name", plan))]
    except psycopg.Error as exc:
        raise classify(exc) from exc
    n_images, n_gold, n_looks, complete, retired, remaining, over = totals
    pool = n_images - n_gold
    return {
        "campaign": plan.schema,
        "mode": server_plan["mode"],
        "looks_per_image": k,
        "retirement_agree": server_plan.get("retirement_agree"),
        "server_time": _iso(now),
        "team": {"images": n_images, "gold": n_gold, "looks": int(n_looks), "complete": complete,
                 "retired": retired, "looks_to_go": int(remaining), "over_looked": over,
                 "progress": round(complete / pool, 4) if pool else 1.0, "annotators": len(people)},
        "annotators": [{"name": name, "local_user": local_user, "host": host, "seen": seen, "marked": marked,
                        "last_activity": _iso(last), "last_contact": _iso(contact), "pending_sync": pending,
                        "claimed": leases.get(name, 0)}
                       for name, local_user, host, seen, marked, last, contact, pending in people],
        "images": listing,
    }


def status_text(status: dict[str, Any]) -> str:
    team = status["team"]
    lines = [f"campaign {status['campaign']} ({status['mode']}, {status['looks_per_image']} looks per image"
             + (f", retired when {status['retirement_agree']} agree" if status.get("retirement_agree") else "")
             + f") at {status['server_time']}",
             f"images: {team['images']} ({team['gold']} gold), {team['complete']} complete"
             f" ({100 * team['progress']:.1f}%), {team['retired']} retired, {team['looks']} looks taken, "
             f"{team['looks_to_go']} to go" + (f", {team['over_looked']} over-looked (leases that expired)"
                                               if team["over_looked"] else ""),
             f"annotators: {team['annotators']}"]
    header = ("annotator", "seen", "marked", "claimed", "pending sync", "last activity")
    rows = [header] + [(a["name"], str(a["seen"]), str(a["marked"]), str(a["claimed"]), str(a["pending_sync"]),
                        a["last_activity"] or "-") for a in status["annotators"]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    if status["images"]:
        lines.append("image looks:")
        lines += [f"  {i['name']}  {i['looks']}" + ("  retired" if i["retired"] else "") + ("  gold" if i["gold"] else "")
                  for i in status["images"]]
    return "\n".join(lines)


def status_json(status: dict[str, Any]) -> str:
    return json.dumps(status, indent=1, ensure_ascii=False)


def status_html(status: dict[str, Any]) -> str:
    e = html.escape
    team = status["team"]

    def table(header, rows):
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Campaign {e(status['campaign'])}</title>",
             "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
             "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}</style></head><body>",
             f"<h1>Campaign {e(status['campaign'])}</h1>",
             f"<p>{e(status['mode'])}, {status['looks_per_image']} looks per image; status at "
             f"{e(status['server_time'] or '')} (server time)</p>",
             f"<p>{team['complete']} of {team['images'] - team['gold']} images complete "
             f"({100 * team['progress']:.1f}%), {team['retired']} retired, {team['looks']} looks taken, "
             f"{team['looks_to_go']} to go.</p>",
             "<h2>Annotators</h2>",
             table(("annotator", "seen", "marked", "claimed", "pending sync", "last activity"),
                   [(a["name"], a["seen"], a["marked"], a["claimed"], a["pending_sync"], a["last_activity"] or "-")
                    for a in status["annotators"]])]
    if status["images"]:
        parts += ["<h2>Images</h2>", table(("image", "looks", "retired", "gold"), [
            (i["name"], i["looks"], i["retired"] or "", "yes" if i["gold"] else "") for i in status["images"]])]
    parts.append("</body></html>\n")
    return "".join(parts)
