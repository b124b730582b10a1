//! Which names are public knowledge in this run: the day's count, and the decisions
//! earlier runs took for text this run publishes again.

use datafusion::arrow::array::AsArray;
use datafusion::prelude::SessionContext;

use crate::config::PiiConfig;
use crate::Result;

/// Names and places public enough to keep: mentioned without personal context by at least
/// `min_users` distinct users (user, else session, else interaction) of at least
/// `min_tenants` tenants (capped at the number of tenants in the run), or by that many
/// users only through the application's own system prompt (a persona or product name of
/// one tenant's template), or brought up by an answer that the conversation never
/// mentioned.
fn public_sql(pii: &PiiConfig) -> String {
    format!(
        "WITH mentions AS (
             SELECT COALESCE(user_id, session_id, interaction_id) AS who, tenant_id,
                    unnest(get_field(_pii, 'candidates')) AS c
             FROM unredacted_interactions WHERE _error IS NULL
         ),
         tenants AS (
             SELECT COUNT(DISTINCT tenant_id) AS n
             FROM unredacted_interactions WHERE _error IS NULL
         ),
         per_value AS (
             SELECT get_field(c, 'entity_type') AS entity_type, get_field(c, 'value') AS value,
                    COUNT(DISTINCT who) AS users, COUNT(DISTINCT tenant_id) AS tenants,
                    bool_or(get_field(c, 'source') = 'answer') AS from_answer,
                    bool_and(get_field(c, 'source') = 'system') AS system_only
             FROM mentions GROUP BY 1, 2
         )
         SELECT entity_type, value
         FROM per_value CROSS JOIN tenants
         WHERE (users >= {users}
                AND (per_value.tenants >= LEAST({tenants}, tenants.n) OR system_only))
            OR ({answers} AND from_answer)",
        users = pii.public_min_users,
        tenants = pii.public_min_tenants,
        answers = pii.public_from_answers,
    )
}

/// The names and places of the day that are public enough to keep (see `public_sql`).
pub async fn of_the_day(
    ctx: &SessionContext,
    pii: &PiiConfig,
) -> Result<Vec<(pii::EntityType, String)>> {
    let batches = ctx.sql(&public_sql(pii)).await?.collect().await?;
    let mut values = Vec::new();
    for batch in &batches {
        let (types, texts) = (
            batch.column(0).as_string::<i32>(),
            batch.column(1).as_string::<i32>(),
        );
        for i in 0..batch.num_rows() {
            if let Ok(t) = types.value(i).parse::<pii::EntityType>() {
                values.push((t, texts.value(i).to_string()));
            }
        }
    }
    Ok(values)
}

/// Names left standing in text an earlier run already redacted and this run may publish
/// again (bank examples that stay in their bank, carried and backlog interactions): that
/// run judged them public, and the leak gate must not fail on its decision. Read from
/// `previous_banks` and `late_interactions` (registered by [`super::history`]).
pub async fn decided_earlier(
    ctx: &SessionContext,
    scanner: &pii::Scanner,
) -> Result<Vec<(pii::EntityType, String)>> {
    let sql = "SELECT input AS text FROM previous_banks
               UNION ALL SELECT output FROM previous_banks
               UNION ALL SELECT get_field(m, 'content')
                         FROM (SELECT unnest(messages) AS m FROM late_interactions)";
    let batches = ctx.sql(sql).await?.collect().await?;
    let mut values = Vec::new();
    for batch in &batches {
        let texts = batch.column(0).as_string::<i32>();
        for text in texts.iter().flatten() {
            for m in scanner.mentions(text) {
                if matches!(m.class, pii::Class::Name | pii::Class::Place) {
                    let t = m.span.entity_type;
                    values.push((t, pii::normal_form(t, &text[m.span.start..m.span.end])));
                }
            }
        }
    }
    Ok(values)
}
