"""Team campaigns: many annotators on many machines sharing one campaign through a
PostgreSQL server. The server's schema, its migrations and security; creating a
campaign and inviting annotators; the annotator's client (joining, claiming images
under leases, pushing the store's outbox idempotently); the background sync that keeps
marking off the network; team status; and the team's results for aggregation.

May import: annotations, experiment, store, campaign, agreement.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "connection": ["TeamError", "connect"],
    "admin": ["create_or_upgrade", "invite", "register_images"],
    "client": ["TeamClient"],
    "sync": ["SyncState", "TeamSync"],
    "joining": ["open_team_session"],
    "status": ["campaign_status"],
    "results": ["load_team_results"],
})
