"""Validating 10,000 orders without recounting their payments in the dashboards (issue 19).

The statement trigger `dash_orders_update` (migration 0007) moves an updated order's children in
the dashboards' facts: its lines in `dash_line_facts`, its payments in `dash_payment_facts`,
minus with the old order and plus with the new one. It did so for every updated order, even when
none of the keys those facts take from the order changed: a bulk validation (10,000 orders
becoming paid) joined all of them to the payments, twice, to add nothing (~0.6 s at 1M orders,
the planner merging through the whole payments index). Now each of those two statements runs only
when one of the keys its facts take from the order changed for some updated order: the event for
payments (as 0017 does for refunds); the creation day, event, status, currency, discount code or
deletion for lines. Otherwise it would add minus then plus the same figures: nothing is lost.

PostgreSQL only (SQLite's row triggers look each order's children up by its id).

Frozen: the function's statements at 0007 are copied below (a migration never imports live
code); the upgrade guards two of them, the downgrade takes the guards away.

Revision ID: 0038_validation_speed
Revises: 0037_receivables
"""

from alembic import op

revision = "0038_validation_speed"
down_revision = "0037_receivables"
branch_labels = None
depends_on = None

# dash_orders_update's statements at revision 0007: order facts, UTM facts, line facts, payment facts.
STATEMENTS_0007 = (
    "INSERT INTO dash_order_facts (day, event_id, status, payment_mode, source, currency, discount_code, deleted, orders, total_ht_cents, total_ttc_cents, amount_paid_cents) SELECT day, event_id, status, payment_mode, source, currency, discount_code, deleted, SUM(orders), SUM(total_ht_cents), SUM(total_ttc_cents), SUM(amount_paid_cents) FROM (SELECT CAST((x.created_at AT TIME ZONE 'UTC') AS DATE) AS day, x.event_id AS event_id, x.status AS status, x.payment_mode AS payment_mode, x.source AS source, x.currency AS currency, COALESCE(x.discount_code, '') AS discount_code, (x.deleted_at IS NOT NULL) AS deleted, -(1) AS orders, -(CAST(ROUND(x.total_ht * 100) AS BIGINT)) AS total_ht_cents, -(CAST(ROUND(x.total_ttc * 100) AS BIGINT)) AS total_ttc_cents, -(CAST(ROUND(x.amount_paid * 100) AS BIGINT)) AS amount_paid_cents FROM old_rows x UNION ALL SELECT CAST((n.created_at AT TIME ZONE 'UTC') AS DATE) AS day, n.event_id AS event_id, n.status AS status, n.payment_mode AS payment_mode, n.source AS source, n.currency AS currency, COALESCE(n.discount_code, '') AS discount_code, (n.deleted_at IS NOT NULL) AS deleted, (1) AS orders, (CAST(ROUND(n.total_ht * 100) AS BIGINT)) AS total_ht_cents, (CAST(ROUND(n.total_ttc * 100) AS BIGINT)) AS total_ttc_cents, (CAST(ROUND(n.amount_paid * 100) AS BIGINT)) AS amount_paid_cents FROM new_rows n) d WHERE true GROUP BY day, event_id, status, payment_mode, source, currency, discount_code, deleted HAVING SUM(orders) <> 0 OR SUM(total_ht_cents) <> 0 OR SUM(total_ttc_cents) <> 0 OR SUM(amount_paid_cents) <> 0 ON CONFLICT (day, event_id, status, payment_mode, source, currency, discount_code, deleted) DO UPDATE SET orders = dash_order_facts.orders + excluded.orders, total_ht_cents = dash_order_facts.total_ht_cents + excluded.total_ht_cents, total_ttc_cents = dash_order_facts.total_ttc_cents + excluded.total_ttc_cents, amount_paid_cents = dash_order_facts.amount_paid_cents + excluded.amount_paid_cents",
    "INSERT INTO dash_utm_facts (day, event_id, currency, utm_source, utm_medium, utm_campaign, discount_code, deleted, orders, paid_orders, abandoned_orders, paid_ht_cents, paid_ttc_cents) SELECT day, event_id, currency, utm_source, utm_medium, utm_campaign, discount_code, deleted, SUM(orders), SUM(paid_orders), SUM(abandoned_orders), SUM(paid_ht_cents), SUM(paid_ttc_cents) FROM (SELECT CAST((x.created_at AT TIME ZONE 'UTC') AS DATE) AS day, x.event_id AS event_id, x.currency AS currency, COALESCE(x.utm_source, '') AS utm_source, COALESCE(x.utm_medium, '') AS utm_medium, COALESCE(x.utm_campaign, '') AS utm_campaign, COALESCE(x.discount_code, '') AS discount_code, (x.deleted_at IS NOT NULL) AS deleted, -(1) AS orders, -(CASE WHEN x.status = 'paid' THEN 1 ELSE 0 END) AS paid_orders, -(CASE WHEN x.status = 'cart_incomplete' THEN 1 ELSE 0 END) AS abandoned_orders, -(CASE WHEN x.status = 'paid' THEN CAST(ROUND(x.total_ht * 100) AS BIGINT) ELSE 0 END) AS paid_ht_cents, -(CASE WHEN x.status = 'paid' THEN CAST(ROUND(x.total_ttc * 100) AS BIGINT) ELSE 0 END) AS paid_ttc_cents FROM old_rows x UNION ALL SELECT CAST((n.created_at AT TIME ZONE 'UTC') AS DATE) AS day, n.event_id AS event_id, n.currency AS currency, COALESCE(n.utm_source, '') AS utm_source, COALESCE(n.utm_medium, '') AS utm_medium, COALESCE(n.utm_campaign, '') AS utm_campaign, COALESCE(n.discount_code, '') AS discount_code, (n.deleted_at IS NOT NULL) AS deleted, (1) AS orders, (CASE WHEN n.status = 'paid' THEN 1 ELSE 0 END) AS paid_orders, (CASE WHEN n.status = 'cart_incomplete' THEN 1 ELSE 0 END) AS abandoned_orders, (CASE WHEN n.status = 'paid' THEN CAST(ROUND(n.total_ht * 100) AS BIGINT) ELSE 0 END) AS paid_ht_cents, (CASE WHEN n.status = 'paid' THEN CAST(ROUND(n.total_ttc * 100) AS BIGINT) ELSE 0 END) AS paid_ttc_cents FROM new_rows n) d WHERE true GROUP BY day, event_id, currency, utm_source, utm_medium, utm_campaign, discount_code, deleted HAVING SUM(orders) <> 0 OR SUM(paid_orders) <> 0 OR SUM(abandoned_orders) <> 0 OR SUM(paid_ht_cents) <> 0 OR SUM(paid_ttc_cents) <> 0 ON CONFLICT (day, event_id, currency, utm_source, utm_medium, utm_campaign, discount_code, deleted) DO UPDATE SET orders = dash_utm_facts.orders + excluded.orders, paid_orders = dash_utm_facts.paid_orders + excluded.paid_orders, abandoned_orders = dash_utm_facts.abandoned_orders + excluded.abandoned_orders, paid_ht_cents = dash_utm_facts.paid_ht_cents + excluded.paid_ht_cents, paid_ttc_cents = dash_utm_facts.paid_ttc_cents + excluded.paid_ttc_cents",
    "INSERT INTO dash_line_facts (day, event_id, tariff_id, kind, status, currency, discount_code, deleted, lines, quantity, total_ht_cents, total_ttc_cents, discount_cents) SELECT day, event_id, tariff_id, kind, status, currency, discount_code, deleted, SUM(lines), SUM(quantity), SUM(total_ht_cents), SUM(total_ttc_cents), SUM(discount_cents) FROM (SELECT CAST((x.created_at AT TIME ZONE 'UTC') AS DATE) AS day, x.event_id AS event_id, c.tariff_id AS tariff_id, c.kind AS kind, x.status AS status, x.currency AS currency, COALESCE(x.discount_code, '') AS discount_code, (x.deleted_at IS NOT NULL) AS deleted, -(1) AS lines, -(c.quantity) AS quantity, -(CAST(ROUND(c.total_ht * 100) AS BIGINT)) AS total_ht_cents, -(CAST(ROUND(c.total_ttc * 100) AS BIGINT)) AS total_ttc_cents, -(CAST(ROUND(c.discount_amount * 100) AS BIGINT)) AS discount_cents FROM old_rows x JOIN order_lines c ON c.order_id = x.id UNION ALL SELECT CAST((n.created_at AT TIME ZONE 'UTC') AS DATE) AS day, n.event_id AS event_id, c.tariff_id AS tariff_id, c.kind AS kind, n.status AS status, n.currency AS currency, COALESCE(n.discount_code, '') AS discount_code, (n.deleted_at IS NOT NULL) AS deleted, (1) AS lines, (c.quantity) AS quantity, (CAST(ROUND(c.total_ht * 100) AS BIGINT)) AS total_ht_cents, (CAST(ROUND(c.total_ttc * 100) AS BIGINT)) AS total_ttc_cents, (CAST(ROUND(c.discount_amount * 100) AS BIGINT)) AS discount_cents FROM new_rows n JOIN order_lines c ON c.order_id = n.id) d WHERE true GROUP BY day, event_id, tariff_id, kind, status, currency, discount_code, deleted HAVING SUM(lines) <> 0 OR SUM(quantity) <> 0 OR SUM(total_ht_cents) <> 0 OR SUM(total_ttc_cents) <> 0 OR SUM(discount_cents) <> 0 ON CONFLICT (day, event_id, tariff_id, kind, status, currency, discount_code, deleted) DO UPDATE SET lines = dash_line_facts.lines + excluded.lines, quantity = dash_line_facts.quantity + excluded.quantity, total_ht_cents = dash_line_facts.total_ht_cents + excluded.total_ht_cents, total_ttc_cents = dash_line_facts.total_ttc_cents + excluded.total_ttc_cents, discount_cents = dash_line_facts.discount_cents + excluded.discount_cents",
    "INSERT INTO dash_payment_facts (day, event_id, method, currency, payments, amount_cents) SELECT day, event_id, method, currency, SUM(payments), SUM(amount_cents) FROM (SELECT CAST((c.received_at AT TIME ZONE 'UTC') AS DATE) AS day, x.event_id AS event_id, c.method AS method, c.currency AS currency, -(1) AS payments, -(CAST(ROUND(c.amount * 100) AS BIGINT)) AS amount_cents FROM old_rows x JOIN payments c ON c.order_id = x.id UNION ALL SELECT CAST((c.received_at AT TIME ZONE 'UTC') AS DATE) AS day, n.event_id AS event_id, c.method AS method, c.currency AS currency, (1) AS payments, (CAST(ROUND(c.amount * 100) AS BIGINT)) AS amount_cents FROM new_rows n JOIN payments c ON c.order_id = n.id) d WHERE true GROUP BY day, event_id, method, currency HAVING SUM(payments) <> 0 OR SUM(amount_cents) <> 0 ON CONFLICT (day, event_id, method, currency) DO UPDATE SET payments = dash_payment_facts.payments + excluded.payments, amount_cents = dash_payment_facts.amount_cents + excluded.amount_cents",
)
# When the children move: an order's lines when one of the keys their facts take from it changed
# (creation day, event, status, currency, discount code, deletion - compared on the columns, a
# superset of the keys' changes); its payments when its event changed. Each guard compares the
# two transition tables as sets of (id, keys), hashed (an update keeps the id of an order with
# children): a join would be tried row against row when nothing changed.
LINE_KEYS = "id, created_at, event_id, status, currency, discount_code, deleted_at IS NULL"
LINES_MOVE = f"EXISTS (SELECT {LINE_KEYS} FROM new_rows EXCEPT SELECT {LINE_KEYS} FROM old_rows)"
PAYMENTS_MOVE = "EXISTS (SELECT id, event_id FROM new_rows EXCEPT SELECT id, event_id FROM old_rows)"


def _function(statements: tuple[str, ...] | list[str]) -> str:
    body = ";\n  ".join(statements)
    return (
        "CREATE OR REPLACE FUNCTION dash_orders_update() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {body};\n  RETURN NULL;\nEND $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    orders, utm, lines, payments = STATEMENTS_0007
    guarded = [
        orders,
        utm,
        f"IF {LINES_MOVE} THEN\n    {lines};\n  END IF",
        f"IF {PAYMENTS_MOVE} THEN\n    {payments};\n  END IF",
    ]
    op.execute(_function(guarded))


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_function(STATEMENTS_0007))
