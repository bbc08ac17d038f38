"""The campaign's server schema: tables, row-level security, and the functions through
which annotators change shared state.

Everything lives in one PostgreSQL schema (namespace) per campaign, owned by the role
that created it: only that role changes the tables, the plan or the functions.
Annotators belong to the campaign's team role and may

- read everything (team progress, the results);
- insert, update and delete their *own* rows of ``actions`` (insert only), ``marks`` and
  ``image_state``: row-level security compares each row's ``annotator`` with the
  connected role, so another annotator's rows are out of reach;
- change shared state (leases, looks, counters, retirement) only through the
  ``SECURITY DEFINER`` functions below, which act for ``session_user`` and decide every
  time with the server's clock.

Templates are formatted with :mod:`psycopg.sql` (``{s}`` the schema, ``{team}`` the
team role), never with string formatting of values.
"""

from __future__ import annotations

#: Created before anything else: the schema version and the plan live here.
META = "CREATE TABLE IF NOT EXISTS {s}.meta(key text PRIMARY KEY, value jsonb NOT NULL)"

#: Schema steps; entry i takes a campaign from version i to version i + 1.
MIGRATIONS: tuple[str, ...] = ("""
CREATE TABLE {s}.images(
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    size bigint,
    fingerprint text,
    gold boolean NOT NULL DEFAULT false,
    priority bigint NOT NULL DEFAULT 0,
    open_looks integer NOT NULL DEFAULT 0,
    looks integer NOT NULL DEFAULT 0,
    retired_at timestamptz,
    registered_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX images_pool ON {s}.images(open_looks DESC, priority) WHERE retired_at IS NULL AND NOT gold;
CREATE INDEX images_gold ON {s}.images(priority) WHERE gold;
CREATE TABLE {s}.annotators(
    name text PRIMARY KEY,
    store_id text NOT NULL,
    local_user text NOT NULL DEFAULT '',
    host text NOT NULL DEFAULT '',
    joined_at timestamptz NOT NULL DEFAULT now(),
    last_contact timestamptz NOT NULL DEFAULT now(),
    last_action timestamptz,
    synced_seq bigint NOT NULL DEFAULT 0,
    local_seq bigint NOT NULL DEFAULT 0,
    seen integer NOT NULL DEFAULT 0,
    marked integer NOT NULL DEFAULT 0);
CREATE TABLE {s}.leases(
    image_id bigint NOT NULL REFERENCES {s}.images(id),
    annotator text NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    done_at timestamptz,
    expired boolean NOT NULL DEFAULT false,
    PRIMARY KEY(image_id, annotator));
CREATE INDEX leases_open ON {s}.leases(expires_at) WHERE done_at IS NULL AND NOT expired;
CREATE INDEX leases_by_annotator ON {s}.leases(annotator) WHERE done_at IS NULL AND NOT expired;
CREATE TABLE {s}.looks(
    image_id bigint NOT NULL REFERENCES {s}.images(id),
    annotator text NOT NULL,
    marked boolean NOT NULL DEFAULT false,
    categories text[] NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY(image_id, annotator));
CREATE TABLE {s}.actions(
    annotator text NOT NULL DEFAULT current_user,
    seq bigint NOT NULL,
    image text NOT NULL,
    pass integer NOT NULL,
    kind text NOT NULL,
    description text NOT NULL,
    changes jsonb NOT NULL,
    client_time text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY(annotator, seq));
CREATE TABLE {s}.marks(
    annotator text NOT NULL DEFAULT current_user,
    mark_id bigint NOT NULL,
    image text NOT NULL,
    pass integer NOT NULL,
    grp text NOT NULL,
    label text NOT NULL,
    x double precision NOT NULL,
    y double precision NOT NULL,
    frame integer NOT NULL,
    ra double precision,
    dec double precision,
    time text NOT NULL,
    PRIMARY KEY(annotator, mark_id));
CREATE INDEX marks_by_key ON {s}.marks(annotator, image, pass);
CREATE TABLE {s}.image_state(
    annotator text NOT NULL DEFAULT current_user,
    image text NOT NULL,
    pass integer NOT NULL,
    categories text[] NOT NULL,
    comment text NOT NULL,
    favorite boolean NOT NULL,
    seen boolean NOT NULL,
    seen_time text,
    state_seq bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY(annotator, image, pass));
""",)

#: Privileges and row-level security; re-applied on every create/upgrade.
SECURITY = """
REVOKE ALL ON SCHEMA {s} FROM PUBLIC;
GRANT USAGE ON SCHEMA {s} TO {team};
GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {team};
GRANT INSERT ON {s}.actions TO {team};
GRANT INSERT, UPDATE, DELETE ON {s}.marks, {s}.image_state TO {team};
ALTER TABLE {s}.actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE {s}.marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE {s}.image_state ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS team_reads ON {s}.actions;
DROP POLICY IF EXISTS own_rows ON {s}.actions;
CREATE POLICY team_reads ON {s}.actions FOR SELECT USING (true);
CREATE POLICY own_rows ON {s}.actions FOR INSERT WITH CHECK (annotator = current_user);
DROP POLICY IF EXISTS team_reads ON {s}.marks;
DROP POLICY IF EXISTS own_rows ON {s}.marks;
CREATE POLICY team_reads ON {s}.marks FOR SELECT USING (true);
CREATE POLICY own_rows ON {s}.marks FOR ALL USING (annotator = current_user) WITH CHECK (annotator = current_user);
DROP POLICY IF EXISTS team_reads ON {s}.image_state;
DROP POLICY IF EXISTS own_rows ON {s}.image_state;
CREATE POLICY team_reads ON {s}.image_state FOR SELECT USING (true);
CREATE POLICY own_rows ON {s}.image_state FOR ALL USING (annotator = current_user)
    WITH CHECK (annotator = current_user);
"""

#: The functions annotators call (all act for session_user, with the server's clock).
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION {s}.plan_value(k text) RETURNS jsonb LANGUAGE sql STABLE
    SET search_path = {s}, pg_temp AS $$ SELECT value -> k FROM meta WHERE key = 'plan' $$;

CREATE OR REPLACE FUNCTION {s}.join_campaign(p_store text, p_local_user text, p_host text)
RETURNS TABLE(synced_seq bigint, plan jsonb, server_time timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
#variable_conflict use_column
DECLARE bound text;
BEGIN
    INSERT INTO annotators AS a(name, store_id, local_user, host) VALUES (session_user, p_store, p_local_user, p_host)
        ON CONFLICT (name) DO UPDATE SET last_contact = now(), host = excluded.host, local_user = excluded.local_user
        WHERE a.store_id = excluded.store_id;
    SELECT a.store_id INTO bound FROM annotators a WHERE a.name = session_user;
    IF bound <> p_store THEN
        RAISE EXCEPTION 'annotator % already sends results from another results folder (store %); '
            'mark from that folder, or ask the campaign owner', session_user, bound USING ERRCODE = 'P0001';
    END IF;
    RETURN QUERY SELECT a.synced_seq, (SELECT value FROM meta WHERE key = 'plan'), now()
        FROM annotators a WHERE a.name = session_user;
END $$;

CREATE OR REPLACE FUNCTION {s}.reap() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
DECLARE n integer;
BEGIN
    WITH gone AS (
        UPDATE leases SET expired = true
        WHERE done_at IS NULL AND NOT expired AND expires_at < now() RETURNING image_id),
    counted AS (SELECT image_id, count(*) AS k FROM gone GROUP BY image_id)
    UPDATE images i SET open_looks = i.open_looks - c.k FROM counted c WHERE i.id = c.image_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION {s}.claim(n integer)
RETURNS TABLE(name text, size bigint, fingerprint text, gold boolean, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
#variable_conflict use_column
DECLARE
    k integer := plan_value('looks_per_image')::integer;
    lease interval := make_interval(secs => plan_value('lease_seconds')::double precision);
    shared boolean := plan_value('mode') #>> '{{}}' = 'shared';
    got integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM annotators a WHERE a.name = session_user) THEN
        RAISE EXCEPTION 'role % has not joined this campaign', session_user USING ERRCODE = 'P0001';
    END IF;
    PERFORM reap();
    WITH picked AS (
        SELECT i.id FROM images i
        WHERE i.gold AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = i.id AND l.annotator = session_user)
        ORDER BY i.priority LIMIT n)
    INSERT INTO leases(image_id, annotator, expires_at) SELECT id, session_user, now() + lease FROM picked
        ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS got = ROW_COUNT;
    IF shared AND got < n THEN
        WITH picked AS (
            SELECT i.id FROM images i
            WHERE i.retired_at IS NULL AND NOT i.gold AND i.open_looks < k
              -- OFFSET 0 keeps these as per-candidate primary-key probes: as an anti-join the
              -- planner, going by statistics from when the tables were small, scans all of
              -- this annotator's leases for every candidate (claims slowed as leases grew)
              AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.image_id = i.id AND l.annotator = session_user OFFSET 0)
              AND NOT EXISTS (SELECT 1 FROM looks o WHERE o.image_id = i.id AND o.annotator = session_user OFFSET 0)
            ORDER BY i.open_looks DESC, i.priority
            LIMIT n - got
            FOR UPDATE SKIP LOCKED),
        bumped AS (
            UPDATE images i SET open_looks = i.open_looks + 1 FROM picked WHERE i.id = picked.id RETURNING i.id)
        INSERT INTO leases(image_id, annotator, expires_at) SELECT id, session_user, now() + lease FROM bumped;
    END IF;
    UPDATE annotators a SET last_contact = now() WHERE a.name = session_user;
    RETURN QUERY SELECT i.name, i.size, i.fingerprint, i.gold, l.expires_at
        FROM leases l JOIN images i ON i.id = l.image_id
        WHERE l.annotator = session_user AND l.claimed_at = now() ORDER BY i.gold DESC, i.open_looks DESC, i.priority;
END $$;

CREATE OR REPLACE FUNCTION {s}.renew() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
DECLARE n integer;
BEGIN
    UPDATE leases SET expires_at = now() + make_interval(secs => plan_value('lease_seconds')::double precision)
        WHERE annotator = session_user AND done_at IS NULL AND NOT expired AND expires_at >= now();
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE annotators a SET last_contact = now() WHERE a.name = session_user;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION {s}.push_begin() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
DECLARE done bigint;
BEGIN
    SELECT a.synced_seq INTO done FROM annotators a WHERE a.name = session_user FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role % has not joined this campaign', session_user USING ERRCODE = 'P0001';
    END IF;
    RETURN done;
END $$;

CREATE OR REPLACE FUNCTION {s}.push_end(p_seq bigint, p_local_seq bigint, p_images text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
DECLARE
    r record;
    agree integer := (plan_value('retirement_agree') #>> '{{}}')::integer;
    now_marked boolean;
    d_seen integer := 0;
    d_marked integer := 0;
    late boolean;
    cats text[];
BEGIN
    FOR r IN
        SELECT i.id, i.name, s.seen, s.categories, o.image_id IS NOT NULL AS had, o.marked AS was_marked
        FROM (SELECT DISTINCT unnest(p_images) AS name) n
        JOIN images i ON i.name = n.name
        LEFT JOIN image_state s ON s.annotator = session_user AND s.image = i.name AND s.pass = 1
        LEFT JOIN looks o ON o.image_id = i.id AND o.annotator = session_user
        ORDER BY i.id
    LOOP
        late := false;
        cats := ARRAY(SELECT c FROM unnest(coalesce(r.categories, '{{}}'::text[])) c ORDER BY c);
        now_marked := EXISTS (SELECT 1 FROM marks m WHERE m.annotator = session_user AND m.image = r.name AND m.pass = 1);
        IF coalesce(r.seen, false) AND NOT r.had THEN
            UPDATE leases l SET done_at = now() WHERE l.image_id = r.id AND l.annotator = session_user
                AND l.done_at IS NULL RETURNING l.expired INTO late;
            IF NOT FOUND OR late THEN
                UPDATE images SET open_looks = open_looks + 1 WHERE id = r.id;
            END IF;
            INSERT INTO looks(image_id, annotator, marked, categories) VALUES (r.id, session_user, now_marked, cats);
            UPDATE images SET looks = looks + 1 WHERE id = r.id;
            d_seen := d_seen + 1;
            d_marked := d_marked + now_marked::integer;
        ELSIF r.had THEN
            UPDATE looks SET marked = now_marked, categories = cats
                WHERE image_id = r.id AND annotator = session_user;
            d_marked := d_marked + now_marked::integer - r.was_marked::integer;
        ELSE
            CONTINUE;
        END IF;
        IF agree IS NOT NULL AND cardinality(cats) > 0 THEN
            UPDATE images SET retired_at = now() WHERE id = r.id AND retired_at IS NULL
                AND (SELECT count(*) FROM looks o WHERE o.image_id = r.id AND o.categories = cats) >= agree;
        END IF;
    END LOOP;
    UPDATE annotators a SET synced_seq = greatest(a.synced_seq, p_seq), local_seq = greatest(a.local_seq, p_local_seq),
        seen = a.seen + d_seen, marked = a.marked + d_marked, last_contact = now(),
        last_action = CASE WHEN p_seq > a.synced_seq THEN now() ELSE a.last_action END
        WHERE a.name = session_user;
END $$;

CREATE OR REPLACE FUNCTION {s}.report(p_local_seq bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = {s}, pg_temp AS $$
    UPDATE annotators SET local_seq = greatest(local_seq, p_local_seq), last_contact = now() WHERE name = session_user
$$;
"""

#: The functions of :data:`FUNCTIONS`, with their argument types, for GRANT/REVOKE.
FUNCTION_SIGNATURES = ("plan_value(text)", "join_campaign(text, text, text)", "reap()", "claim(integer)",
                       "renew()", "push_begin()", "push_end(bigint, bigint, text[])", "report(bigint)")
