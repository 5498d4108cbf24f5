"""The app's reset: one batch that empties its tables as ``TRUNCATE ... RESTART IDENTITY CASCADE``
would (rows gone, ids from 1 again, tables referencing them emptied too), and the TRUNCATE
itself where a DELETE could not stand for it. Real Postgres, real reference app."""

from __future__ import annotations

import pytest

from paychaos.app.django_adapter import _emptying_sql
from paychaos.cli.compose import open_environment


@pytest.fixture(scope="module")
def env():
    with open_environment("correct", 0, quiet=True) as env:
        env.reset(seed=0)
        yield env


def test_reset_empties_every_table_and_restarts_ids(env):
    app = env.app
    first = app.create_company("one")
    app.create_company("two")
    app.reset()
    with app.connect() as conn:
        for table in app._tables:
            assert conn.execute(f'SELECT count(*) FROM "{table}"').fetchone() == (0,), table
    assert app.create_company("again") == first  # ids start over, as RESTART IDENTITY does
    assert not app._reset_sql.startswith("TRUNCATE")  # the reference app's tables need no TRUNCATE


def test_a_table_referencing_them_is_emptied_as_cascade_would(env):
    app = env.app
    with app.connect() as conn:
        conn.execute(
            "CREATE TABLE reset_probe_ref (id serial PRIMARY KEY, "
            "company_id bigint REFERENCES payments_company(id))"
        )
        try:
            company = app.create_company("ref")
            conn.execute("INSERT INTO reset_probe_ref (company_id) VALUES (%s)", (int(company),))
            sql = _emptying_sql(conn, app._tables)
            assert sql.index('"reset_probe_ref"') < sql.index('DELETE FROM "payments_company"')
            conn.execute(sql)
            assert conn.execute("SELECT count(*) FROM reset_probe_ref").fetchone() == (0,)
            assert conn.execute("SELECT nextval('reset_probe_ref_id_seq')").fetchone() == (1,)
        finally:
            conn.execute("DROP TABLE reset_probe_ref")
    app.reset()


@pytest.mark.parametrize("kind", ["trigger", "cycle"])
def test_truncate_where_a_delete_would_differ(env, kind):
    with env.app.connect() as conn:
        conn.execute("CREATE TABLE reset_probe_a (id serial PRIMARY KEY, b_id int)")
        conn.execute(
            "CREATE TABLE reset_probe_b (id serial PRIMARY KEY, "
            "a_id int REFERENCES reset_probe_a(id))"
        )
        try:
            if kind == "cycle":
                conn.execute(
                    "ALTER TABLE reset_probe_a ADD FOREIGN KEY (b_id) REFERENCES reset_probe_b(id)"
                )
            else:  # a row trigger of the app's own, which a DELETE would fire
                conn.execute(
                    "CREATE FUNCTION reset_probe_f() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RETURN OLD; END $$"
                )
                conn.execute(
                    "CREATE TRIGGER reset_probe_t BEFORE DELETE ON reset_probe_a "
                    "FOR EACH ROW EXECUTE FUNCTION reset_probe_f()"
                )
            sql = _emptying_sql(conn, ["reset_probe_a"])
            assert sql.startswith("TRUNCATE ") and "RESTART IDENTITY CASCADE" in sql
            plain = _emptying_sql(conn, ["reset_probe_b"]) if kind == "trigger" else None
            if plain is not None:  # b alone: nothing references it, no trigger on it
                assert plain.startswith('DELETE FROM "reset_probe_b"')
        finally:
            conn.execute("DROP TABLE reset_probe_b, reset_probe_a CASCADE")
            conn.execute("DROP FUNCTION IF EXISTS reset_probe_f()")
