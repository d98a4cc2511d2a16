//! Graph API behaviour: authentication, routing, field expansion, paging,
//! insights, permissions, rate limits. Pure over `Shared`: the HTTP layer
//! (`server`) adds latency, faults and batch.

use base64::Engine as _;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde_json::{Map, Value, json};
use std::sync::atomic::Ordering;

use crate::fields::{self, FieldSpec};
use crate::state::Shared;
use crate::world::{AdAccount, Token, TokenState, World};

/// A Graph answer before it becomes HTTP.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body,
            headers: Vec::new(),
        }
    }

    pub fn error(status: u16, code: i64, subcode: Option<i64>, kind: &str, message: &str) -> Self {
        let mut error = json!({"message": message, "type": kind, "code": code, "fbtrace_id": crate::trace_id()});
        if let Some(subcode) = subcode {
            error["error_subcode"] = json!(subcode);
        }
        Self {
            status,
            body: json!({ "error": error }),
            headers: vec![(
                "www-authenticate".to_owned(),
                format!(
                    "OAuth \"Facebook Platform\" \"invalid_request\" \"{}\"",
                    message.replace('"', "'")
                ),
            )],
        }
    }
}

/// One Graph call, however it arrived (directly or inside a batch).
#[derive(Debug, Clone)]
pub struct Call {
    /// Path after the version, without a leading slash (`me/adaccounts`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub token: Option<String>,
    /// The token came as a query parameter (then `next` links repeat it, as Meta's do).
    pub token_in_query: bool,
    /// `http://127.0.0.1:port`, for `next` links.
    pub origin: String,
    pub version: String,
}

impl Call {
    fn param(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Numeric version from `v27.0` → 27.
pub fn version_number(version: &str) -> Option<u32> {
    version.strip_prefix('v')?.split('.').next()?.parse().ok()
}

const ACCOUNT_FIELDS: [&str; 25] = [
    "timezone_offset_hours_utc",
    "funding_source_details",
    "id",
    "account_id",
    "name",
    "account_status",
    "disable_reason",
    "currency",
    "timezone_name",
    "timezone_id",
    "amount_spent",
    "spend_cap",
    "balance",
    "business",
    "owner",
    "user_tasks",
    "tos_accepted",
    "user_tos_accepted",
    "offsite_pixels_tos_accepted",
    "is_prepay_account",
    "created_time",
    "age",
    "adspixels",
    "insights",
    "ads",
];

pub fn execute(shared: &Shared, call: &Call) -> Resp {
    shared.stats.graph_calls.fetch_add(1, Ordering::Relaxed);
    let segments: Vec<&str> = call.path.split('/').filter(|s| !s.is_empty()).collect();

    if segments.as_slice() == ["oauth", "access_token"] {
        return crate::dialog::exchange(shared, call);
    }
    if segments.as_slice() == ["debug_token"] {
        return debug_token(shared, call);
    }
    if let Some(resp) = shared.scenario_error(&call.path) {
        if resp.body["error"]["code"] == 4 || resp.body["error"]["code"] == 17 {
            shared
                .stats
                .rate_limit_errors
                .fetch_add(1, Ordering::Relaxed);
        }
        return resp;
    }
    let min_version = shared.knobs().min_version;
    if min_version > 0 && version_number(&call.version).is_some_and(|v| v < min_version) {
        return Resp::error(
            400,
            2635,
            None,
            "OAuthException",
            &format!(
                "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v{min_version}.0."
            ),
        );
    }

    let token = match authenticate(shared, call) {
        Ok(token) => token,
        Err(resp) => return resp,
    };
    let world = shared.world();
    let now = shared.now();
    let account_of_call = segments
        .first()
        .and_then(|s| s.strip_prefix("act_"))
        .map(str::to_owned);
    drop(world);

    // Rate limits are charged before the work, as Meta does.
    let use_case = if call.path.contains("insights") {
        "ads_insights"
    } else {
        "ads_management"
    };
    let charge = {
        let knobs = shared.knobs();
        let limits_config = knobs.limits.clone();
        drop(knobs);
        let mut limits = shared.limits.lock().unwrap_or_else(|p| p.into_inner());
        limits.charge(&limits_config, account_of_call.as_deref(), use_case)
    };
    if let Some((status, body)) = charge.refused {
        shared
            .stats
            .rate_limit_errors
            .fetch_add(1, Ordering::Relaxed);
        return Resp {
            status,
            body,
            headers: charge.headers,
        };
    }
    let world = shared.world();
    let mut resp = route(shared, &world, &token, call, &segments, now);
    resp.headers.extend(charge.headers);
    resp
}

fn authenticate(shared: &Shared, call: &Call) -> Result<Token, Resp> {
    let Some(raw) = call.token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(Resp::error(
            400,
            104,
            None,
            "OAuthException",
            "An access token is required to request this resource.",
        ));
    };
    let world = shared.world();
    let Some(token) = world.tokens.get(raw).cloned() else {
        return Err(Resp::error(
            400,
            190,
            None,
            "OAuthException",
            "Invalid OAuth access token - Cannot parse access token",
        ));
    };
    let now = Utc::now();
    let state = if token.state == TokenState::Valid && token.expires_at <= now {
        TokenState::Expired
    } else {
        token.state
    };
    let expired_message = format!(
        "Error validating access token: Session has expired on {}. The current time is {}.",
        token.expires_at.format("%A, %d-%b-%y %H:%M:%S UTC"),
        now.format("%A, %d-%b-%y %H:%M:%S UTC")
    );
    let app = &token.app_id;
    let failure = match state {
        TokenState::Valid => return Ok(token),
        TokenState::Expired => (463, expired_message),
        TokenState::PasswordChanged => (460, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.".to_owned()),
        TokenState::LoggedOut => (467, "Error validating access token: The session is invalid because the user logged out.".to_owned()),
        TokenState::AppRemoved => (458, format!("Error validating access token: The user has not authorized application {app}.")),
        TokenState::Checkpoint => (459, "Error validating access token: The session is invalid because the user has been checkpointed.".to_owned()),
        TokenState::Unconfirmed => (464, "Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.".to_owned()),
        TokenState::Invalid => {
            return Err(Resp::error(400, 190, None, "OAuthException", "Invalid OAuth access token - Cannot parse access token"));
        }
    };
    let mut resp = Resp::error(400, 190, Some(failure.0), "OAuthException", &failure.1);
    resp.status = 400;
    Err(resp)
}

fn has_scope(token: &Token, scopes: &[&str]) -> bool {
    token.granted.iter().any(|g| scopes.contains(&g.as_str()))
}

fn route(
    shared: &Shared,
    world: &World,
    token: &Token,
    call: &Call,
    segments: &[&str],
    now: DateTime<Utc>,
) -> Resp {
    let specs = match call.param("fields").map(fields::parse).transpose() {
        Ok(specs) => specs,
        Err(e) => {
            return Resp::error(
                400,
                100,
                None,
                "OAuthException",
                &format!("(#100) Syntax error \"{e}\" in the fields parameter"),
            );
        }
    };
    let needs_ads = |token: &Token| -> Option<Resp> {
        (!has_scope(token, &["ads_read", "ads_management"])).then(|| {
            Resp::error(
                403,
                200,
                None,
                "OAuthException",
                "(#200) Requires ads_read or ads_management permission to read the object",
            )
        })
    };
    match segments {
        ["me"] => {
            let Some(user) = world.users.get(&token.user_id) else {
                return unsupported("me");
            };
            let mut body = Map::new();
            let wanted: Vec<String> = specs.as_ref().map_or_else(
                || vec!["id".into(), "name".into()],
                |s| s.iter().map(|f| f.name.clone()).collect(),
            );
            body.insert("id".into(), json!(user.id));
            for name in wanted {
                match name.as_str() {
                    "id" => {}
                    "name" => {
                        body.insert("name".into(), json!(user.name));
                    }
                    other => return nonexisting(other, "User"),
                }
            }
            Resp::ok(Value::Object(body))
        }
        ["me", "permissions"] => {
            let mut data: Vec<Value> = token
                .granted
                .iter()
                .map(|p| json!({"permission": p, "status": "granted"}))
                .collect();
            data.extend(
                token
                    .declined
                    .iter()
                    .map(|p| json!({"permission": p, "status": "declined"})),
            );
            Resp::ok(json!({ "data": data }))
        }
        ["me", "adaccounts"] => {
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            if !world.users.contains_key(&token.user_id) {
                return unsupported("me");
            }
            // Direct access only: accounts reached through a business role
            // are listed on the business's edges.
            let ids = world.direct_accounts_of(&token.user_id);
            let accounts: Vec<&AdAccount> =
                ids.iter().filter_map(|id| world.accounts.get(id)).collect();
            list_accounts(shared, world, token, call, specs.as_deref(), &accounts, now)
        }
        ["me", "businesses"] => {
            if !has_scope(token, &["business_management"]) {
                return Resp::error(
                    403,
                    200,
                    None,
                    "OAuthException",
                    "(#200) Requires business_management permission to manage the object",
                );
            }
            let Some(user) = world.users.get(&token.user_id) else {
                return unsupported("me");
            };
            let items = world
                .businesses
                .values()
                .filter(|b| {
                    let related = |m: &std::collections::BTreeMap<
                        String,
                        std::collections::BTreeSet<String>,
                    >| {
                        m.get(&b.id).is_some_and(|set| {
                            set.iter().any(|a| world.tasks_of(&user.id, a).is_some())
                        })
                    };
                    user.business_roles.contains(&b.id)
                        || related(&world.owned)
                        || related(&world.client)
                })
                .map(|b| project_business(call, world, &user.id, b, specs.as_deref()))
                .collect::<Result<Vec<Value>, Resp>>();
            let items = match items {
                Ok(items) => items,
                Err(error) => return error,
            };
            match page_of(shared, call, items, None) {
                Ok(v) => Resp::ok(v),
                Err(r) => r,
            }
        }
        [
            business,
            edge @ ("owned_ad_accounts" | "client_ad_accounts"),
        ] => {
            if !has_scope(token, &["business_management"]) {
                return Resp::error(
                    403,
                    200,
                    None,
                    "OAuthException",
                    "(#200) Requires business_management permission to manage the object",
                );
            }
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            if !world.businesses.contains_key(*business) {
                return unsupported(business);
            }
            let map = if *edge == "owned_ad_accounts" {
                &world.owned
            } else {
                &world.client
            };
            let Some(user) = world.users.get(&token.user_id) else {
                return unsupported("me");
            };
            let accounts: Vec<&AdAccount> = map
                .get(*business)
                .into_iter()
                .flatten()
                .filter(|id| world.tasks_of(&user.id, id).is_some())
                .filter_map(|id| world.accounts.get(id))
                .collect();
            list_accounts(shared, world, token, call, specs.as_deref(), &accounts, now)
        }
        [node] if node.starts_with("act_") => {
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            let Some((account, tasks)) = reachable(world, token, node) else {
                return unsupported(node);
            };
            match project_account(call, account, &tasks, specs.as_deref(), world, now) {
                Ok(v) => Resp::ok(v),
                Err(r) => r,
            }
        }
        [node, "insights"] if node.starts_with("act_") => {
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            let Some((account, _)) = reachable(world, token, node) else {
                return unsupported(node);
            };
            let today = insights_today(account);
            let range = match call.param("time_range") {
                Some(raw) => time_range(raw),
                None => preset_range(call.param("date_preset").unwrap_or("last_30d"), today),
            };
            let daily = call.param("time_increment") == Some("1");
            let wanted: Vec<String> = specs.as_ref().map_or_else(
                || vec!["spend".into()],
                |s| s.iter().map(|f| f.name.clone()).collect(),
            );
            let limit = call
                .param("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(25)
                .clamp(1, 500);
            match range.and_then(|range| insights_rows(account, &range, daily, &wanted, now)) {
                Ok(rows) => insights_page(call, account, rows, limit),
                Err(r) => r,
            }
        }
        [node, edge @ ("ads" | "ads_volume")] if node.starts_with("act_") => {
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            let Some((account, tasks)) = reachable(world, token, node) else {
                return unsupported(node);
            };
            if *edge == "ads_volume" {
                return ads_volume(account, &tasks, now);
            }
            let statuses = call.param("effective_status");
            let fields = specs.as_deref().map(spec_names).unwrap_or_default();
            match ads_edge(shared, world, call, account, statuses, &fields) {
                Ok(v) => Resp::ok(v),
                Err(r) => r,
            }
        }
        [node, "adspixels"] if node.starts_with("act_") => {
            if let Some(denied) = needs_ads(token) {
                return denied;
            }
            let Some((account, _)) = reachable(world, token, node) else {
                return unsupported(node);
            };
            let children = specs.clone().unwrap_or_else(|| {
                vec![FieldSpec {
                    name: "id".into(),
                    modifiers: vec![],
                    children: None,
                }]
            });
            let items: Result<Vec<Value>, Resp> = account
                .datasets
                .iter()
                .map(|d| project_dataset(d, &children, now))
                .collect();
            match items.and_then(|items| page_of(shared, call, items, None)) {
                Ok(v) => Resp::ok(v),
                Err(r) => r,
            }
        }
        _ => unsupported(&segments.join("/")),
    }
}

/// A business node: `id`, `name`, and the nested `owned_ad_accounts` /
/// `client_ad_accounts` edges (the user's reachable accounts), paged.
fn project_business(
    call: &Call,
    world: &World,
    user_id: &str,
    business: &crate::world::Business,
    specs: Option<&[FieldSpec]>,
) -> Result<Value, Resp> {
    let mut out = Map::new();
    out.insert("id".into(), json!(business.id));
    let Some(specs) = specs else {
        out.insert("name".into(), json!(business.name));
        return Ok(Value::Object(out));
    };
    for spec in specs {
        match spec.name.as_str() {
            "id" => {}
            "name" => {
                out.insert("name".into(), json!(business.name));
            }
            edge @ ("owned_ad_accounts" | "client_ad_accounts") => {
                let map = if edge == "owned_ad_accounts" {
                    &world.owned
                } else {
                    &world.client
                };
                let ids: Vec<&String> = map
                    .get(&business.id)
                    .into_iter()
                    .flatten()
                    .filter(|id| world.tasks_of(user_id, id).is_some())
                    .collect();
                let limit = spec
                    .modifier("limit")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(25usize)
                    .max(1);
                let data: Vec<Value> = ids
                    .iter()
                    .take(limit)
                    .map(|id| json!({"id": format!("act_{id}")}))
                    .collect();
                let mut value = json!({"data": data, "paging": {"cursors": {"before": encode_cursor(0, false), "after": encode_cursor(limit.min(ids.len()), false)}}});
                if ids.len() > limit {
                    let nested = Call {
                        path: format!("{}/{edge}", business.id),
                        query: vec![("fields".into(), "id".into())],
                        ..call.clone()
                    };
                    value["paging"]["next"] =
                        json!(next_link(&nested, &encode_cursor(limit, false), limit));
                }
                out.insert(edge.to_owned(), value);
            }
            "verification_status" => {
                out.insert("verification_status".into(), json!("verified"));
            }
            other => return Err(nonexisting(other, "Business")),
        }
    }
    Ok(Value::Object(out))
}

fn reachable<'w>(
    world: &'w World,
    token: &Token,
    node: &str,
) -> Option<(&'w AdAccount, Vec<String>)> {
    let numeric = node.strip_prefix("act_")?;
    let tasks = world.tasks_of(&token.user_id, numeric)?;
    Some((world.accounts.get(numeric)?, tasks))
}

fn unsupported(id: &str) -> Resp {
    Resp::error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!(
            "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )
}

fn nonexisting(field: &str, node_type: &str) -> Resp {
    Resp::error(
        400,
        100,
        None,
        "OAuthException",
        &format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node_type})"),
    )
}

fn list_accounts(
    shared: &Shared,
    world: &World,
    token: &Token,
    call: &Call,
    specs: Option<&[FieldSpec]>,
    accounts: &[&AdAccount],
    now: DateTime<Utc>,
) -> Resp {
    let nested = specs.map_or(0, |s| {
        s.iter()
            .filter(|f| matches!(f.name.as_str(), "adspixels" | "insights" | "ads"))
            .count()
    });
    let limit = match parse_limit(shared, call) {
        Ok(limit) => limit,
        Err(resp) => return resp,
    };
    if limit * (1 + nested) > shared.knobs().max_page_weight {
        return Resp {
            status: 500,
            body: json!({"error": {"message": "Please reduce the amount of data you're asking for, then retry your request", "code": 1}}),
            headers: Vec::new(),
        };
    }
    let Some(user) = world.users.get(&token.user_id) else {
        return unsupported("me");
    };
    // Project only the page being served.
    let offset = match decode_cursor(call.param("after")) {
        Ok(c) => c,
        Err(resp) => return resp,
    };
    let ids: Vec<usize> = (0..accounts.len()).collect();
    let slice = plan_page(shared, &ids, offset, limit);
    let mut items = Vec::with_capacity(slice.items.len());
    for &i in &slice.items {
        let account = accounts[i];
        let tasks = world.tasks_of(&user.id, &account.id).unwrap_or_default();
        match project_account(call, account, &tasks, specs, world, now) {
            Ok(v) => items.push(v),
            Err(r) => return r,
        }
    }
    Resp::ok(finish_page(call, items, slice, accounts.len(), limit))
}

fn parse_limit(shared: &Shared, call: &Call) -> Result<usize, Resp> {
    match call.param("limit") {
        None => Ok(shared.knobs().default_limit),
        Some(raw) => raw.parse::<usize>().ok().filter(|l| *l > 0).ok_or_else(|| {
            Resp::error(
                400,
                100,
                None,
                "OAuthException",
                "(#100) Param limit must be a positive integer",
            )
        }),
    }
}

struct PlannedPage {
    items: Vec<usize>,
    /// Where the next page starts, and whether the next page is the planted empty one.
    next: Option<(usize, bool)>,
    offset: usize,
}

/// Cursor: where a page starts, and whether the empty quirk page was served there.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    offset: usize,
    empty_served: bool,
}

fn decode_cursor(raw: Option<&str>) -> Result<Cursor, Resp> {
    let Some(raw) = raw else {
        return Ok(Cursor {
            offset: 0,
            empty_served: false,
        });
    };
    let invalid = || {
        Resp::error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) The after parameter is not a valid cursor",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let body = text.strip_prefix("o").ok_or_else(invalid)?;
    let (digits, empty_served) = match body.strip_suffix('e') {
        Some(d) => (d, true),
        None => (body, false),
    };
    Ok(Cursor {
        offset: digits.parse().map_err(|_| invalid())?,
        empty_served,
    })
}

fn encode_cursor(offset: usize, empty_served: bool) -> String {
    let text = format!("o{offset}{}", if empty_served { "e" } else { "" });
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn plan_page(shared: &Shared, ids: &[usize], cursor: Cursor, limit: usize) -> PlannedPage {
    let ragged = shared.knobs().ragged_pages;
    let total = ids.len();
    let start = cursor.offset.min(total);
    let page_index = start / limit.max(1);
    // Quirks: every 4th page comes back empty first (with `next`), every 3rd short.
    if ragged && !cursor.empty_served && page_index % 4 == 1 && start < total {
        return PlannedPage {
            items: Vec::new(),
            next: Some((start, true)),
            offset: start,
        };
    }
    let take = if ragged && page_index % 3 == 2 {
        (limit - limit / 3).max(1)
    } else {
        limit
    };
    let end = (start + take).min(total);
    PlannedPage {
        items: ids[start..end].to_vec(),
        next: (end < total).then_some((end, false)),
        offset: start,
    }
}

fn finish_page(
    call: &Call,
    items: Vec<Value>,
    plan: PlannedPage,
    total: usize,
    limit: usize,
) -> Value {
    let mut paging = Map::new();
    let mut cursors = Map::new();
    cursors.insert("before".into(), json!(encode_cursor(plan.offset, false)));
    let after = plan
        .next
        .map_or_else(|| encode_cursor(total, false), |(o, e)| encode_cursor(o, e));
    cursors.insert("after".into(), json!(after));
    paging.insert("cursors".into(), Value::Object(cursors));
    if let Some((offset, empty)) = plan.next {
        paging.insert(
            "next".into(),
            json!(next_link(call, &encode_cursor(offset, empty), limit)),
        );
    }
    if plan.offset > 0 {
        paging.insert(
            "previous".into(),
            json!(next_link(
                call,
                &encode_cursor(plan.offset.saturating_sub(limit), false),
                limit
            )),
        );
    }
    let mut body = json!({ "data": items, "paging": paging });
    if matches!(call.param("summary"), Some("true" | "total_count" | "1")) {
        body["summary"] = json!({ "total_count": total });
    }
    body
}

fn next_link(call: &Call, cursor: &str, limit: usize) -> String {
    let Ok(mut url) = url::Url::parse(&format!("{}/{}/{}", call.origin, call.version, call.path))
    else {
        return String::new();
    };
    {
        let mut pairs = url.query_pairs_mut();
        if let (true, Some(token)) = (call.token_in_query, &call.token) {
            pairs.append_pair("access_token", token);
        }
        for (k, v) in &call.query {
            if k != "after" && k != "before" && k != "access_token" && k != "limit" {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair("limit", &limit.to_string());
        pairs.append_pair("after", cursor);
    }
    url.to_string()
}

/// A generic edge (no projection cost): pages `items`.
fn page_of(
    shared: &Shared,
    call: &Call,
    items: Vec<Value>,
    limit: Option<usize>,
) -> Result<Value, Resp> {
    let limit = match limit {
        Some(l) => l,
        None => parse_limit(shared, call)?,
    };
    let cursor = decode_cursor(call.param("after"))?;
    let ids: Vec<usize> = (0..items.len()).collect();
    let plan = PlannedPage {
        items: ids[cursor.offset.min(ids.len())..(cursor.offset + limit).min(ids.len())].to_vec(),
        next: ((cursor.offset + limit) < ids.len()).then_some((cursor.offset + limit, false)),
        offset: cursor.offset,
    };
    let page: Vec<Value> = plan.items.iter().map(|&i| items[i].clone()).collect();
    Ok(finish_page(call, page, plan, items.len(), limit))
}

fn meta_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+0000").to_string()
}

fn project_account(
    call: &Call,
    account: &AdAccount,
    tasks: &[String],
    specs: Option<&[FieldSpec]>,
    world: &World,
    now: DateTime<Utc>,
) -> Result<Value, Resp> {
    let mut out = Map::new();
    out.insert("id".into(), json!(account.node_id()));
    let Some(specs) = specs else {
        out.insert("account_id".into(), json!(account.id));
        return Ok(Value::Object(out));
    };
    for spec in specs {
        let name = spec.name.as_str();
        if !ACCOUNT_FIELDS.contains(&name) {
            return Err(nonexisting(name, "AdAccount"));
        }
        let value = match name {
            "id" => continue,
            "account_id" => json!(account.id),
            "name" => json!(account.name),
            "account_status" => json!(account.account_status),
            "disable_reason" => json!(account.disable_reason),
            "currency" => json!(account.currency),
            "timezone_name" => json!(account.timezone_name),
            "timezone_id" => json!(1),
            "amount_spent" => json!(account.amount_spent.to_string()),
            "spend_cap" => json!(account.spend_cap.to_string()),
            "balance" => json!(account.balance.to_string()),
            "owner" => json!(
                account
                    .business
                    .clone()
                    .unwrap_or_else(|| crate::world::DEFAULT_USER.to_owned())
            ),
            "user_tasks" => json!(tasks),
            "timezone_offset_hours_utc" => json!(f64::from(account.utc_offset_minutes()) / 60.0),
            // Needs the ADVERTISE or MANAGE task: others simply don't get it.
            "is_prepay_account" if can_advertise(tasks) => json!(account.prepaid.is_some()),
            "is_prepay_account" => continue,
            "funding_source_details" if !tasks.iter().any(|t| t == "MANAGE") => {
                // graph-api.md §2: without MANAGE the whole request fails.
                return Err(Resp::error(
                    400,
                    100,
                    None,
                    "GraphMethodException",
                    "Unsupported request - method type: get",
                ));
            }
            "funding_source_details" => funding_source(account),
            "offsite_pixels_tos_accepted" => json!(!account.tos_accepted.is_empty()),
            "created_time" => json!("2023-08-28T20:36:13+0200"),
            "age" => json!(1186.5),
            "business" => {
                let Some(id) = &account.business else {
                    continue;
                };
                let Some(business) = world.businesses.get(id) else {
                    continue;
                };
                let mut b = Map::new();
                b.insert("id".into(), json!(business.id));
                let wanted = spec.children.as_deref();
                if wanted.is_none_or(|c| c.iter().any(|f| f.name == "name")) {
                    b.insert("name".into(), json!(business.name));
                }
                Value::Object(b)
            }
            "tos_accepted" | "user_tos_accepted" => {
                let keys = if name == "tos_accepted" {
                    &account.tos_accepted
                } else {
                    &account.user_tos_accepted
                };
                if keys.is_empty() {
                    continue;
                }
                Value::Object(keys.iter().map(|k| (k.clone(), json!(1))).collect())
            }
            "adspixels" => {
                if account.datasets.is_empty() {
                    continue;
                }
                let limit = spec
                    .modifier("limit")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(25usize);
                let children = spec.children.clone().unwrap_or_else(|| {
                    vec![FieldSpec {
                        name: "id".into(),
                        modifiers: vec![],
                        children: None,
                    }]
                });
                let items: Vec<Value> = account
                    .datasets
                    .iter()
                    .take(limit)
                    .map(|d| project_dataset(d, &children, now))
                    .collect::<Result<_, _>>()?;
                let mut edge = json!({"data": items, "paging": {"cursors": {"before": encode_cursor(0, false), "after": encode_cursor(limit.min(account.datasets.len()), false)}}});
                if account.datasets.len() > limit {
                    let fields_param = children
                        .iter()
                        .map(|c| c.name.clone())
                        .collect::<Vec<_>>()
                        .join(",");
                    let nested_call = Call {
                        path: format!("{}/adspixels", account.node_id()),
                        query: vec![("fields".into(), fields_param)],
                        ..call.clone()
                    };
                    edge["paging"]["next"] =
                        json!(next_link(&nested_call, &encode_cursor(limit, false), limit));
                }
                edge
            }
            "ads" => {
                let fields = spec.children.as_deref().map(spec_names).unwrap_or_default();
                let limit = spec.modifier("limit").and_then(|l| l.parse().ok());
                let mut nested = Call {
                    path: format!("{}/ads", account.node_id()),
                    query: vec![("fields".into(), fields.join(","))],
                    ..call.clone()
                };
                for key in ["effective_status", "summary"] {
                    if let Some(value) = spec.modifier(key) {
                        nested.query.push((key.into(), value.to_owned()));
                    }
                }
                let statuses = spec.modifier("effective_status");
                ads_edge_nested(world, &nested, account, statuses, &fields, limit)?
            }
            "insights" => {
                let today = insights_today(account);
                let range =
                    preset_range(spec.modifier("date_preset").unwrap_or("last_30d"), today)?;
                let daily = spec.modifier("time_increment") == Some("1");
                let wanted: Vec<String> = spec.children.as_ref().map_or_else(
                    || vec!["spend".into()],
                    |c| c.iter().map(|f| f.name.clone()).collect(),
                );
                let rows = insights_rows(account, &range, daily, &wanted, now)?;
                if rows.is_empty() {
                    continue;
                }
                json!({"data": rows, "paging": {"cursors": {"before": "MAZDZD", "after": "MAZDZD"}}})
            }
            _ => continue,
        };
        out.insert(name.to_owned(), value);
    }
    Ok(Value::Object(out))
}

fn spec_names(specs: &[FieldSpec]) -> Vec<String> {
    specs.iter().map(|f| f.name.clone()).collect()
}

/// `act_X/ads`, filtered by `effective_status`, paged, with a
/// `summary.total_count` when asked (unless the world says Meta ignores it).
fn ads_edge(
    shared: &Shared,
    world: &World,
    call: &Call,
    account: &AdAccount,
    statuses: Option<&str>,
    fields: &[String],
) -> Result<Value, Resp> {
    let items = ads_items(account, statuses, fields)?;
    let limit = parse_limit(shared, call)?.min(ads_page_cap(world));
    let mut call = call.clone();
    if world.no_ads_summary {
        call.query.retain(|(k, _)| k != "summary");
    }
    page_of(shared, &call, items, Some(limit))
}

/// The most ads one page holds, whatever was asked.
fn ads_page_cap(world: &World) -> usize {
    world.max_ads_page.unwrap_or(500).clamp(1, 500)
}

/// The same edge expanded inside an account: its first page.
fn ads_edge_nested(
    world: &World,
    nested: &Call,
    account: &AdAccount,
    statuses: Option<&str>,
    fields: &[String],
    limit: Option<usize>,
) -> Result<Value, Resp> {
    let items = ads_items(account, statuses, fields)?;
    let limit = limit.unwrap_or(25).clamp(1, ads_page_cap(world));
    let total = items.len();
    let page: Vec<Value> = items.into_iter().take(limit).collect();
    let plan = PlannedPage {
        items: Vec::new(),
        next: (total > limit).then_some((limit, false)),
        offset: 0,
    };
    let mut nested = nested.clone();
    if world.no_ads_summary {
        nested.query.retain(|(k, _)| k != "summary");
    }
    Ok(finish_page(&nested, page, plan, total, limit))
}

fn ads_items(
    account: &AdAccount,
    statuses: Option<&str>,
    fields: &[String],
) -> Result<Vec<Value>, Resp> {
    let wanted = statuses
        .map(crate::ads::parse_statuses)
        .transpose()
        .map_err(|message| Resp::error(400, 100, None, "OAuthException", &message))?;
    crate::ads::filtered(&account.ads, wanted.as_deref())
        .into_iter()
        .map(|ad| ad.project(fields).map_err(|f| nonexisting(&f, "Ad")))
        .collect()
}

/// `act_X/ads_volume`. Which roles may read it is UNVERIFIED (§13): the
/// double refuses an Analyst-only role, so clients meet the refusal.
fn ads_volume(account: &AdAccount, tasks: &[String], now: DateTime<Utc>) -> Resp {
    if !can_advertise(tasks) {
        return Resp::error(403, 200, None, "OAuthException", "(#200) Permissions error");
    }
    match &account.ad_volume {
        Some(volume) => Resp::ok(volume.body(now)),
        None => Resp::ok(json!({"data": []})),
    }
}

fn can_advertise(tasks: &[String]) -> bool {
    tasks.iter().any(|t| t == "MANAGE" || t == "ADVERTISE")
}

/// `funding_source_details` as Meta shapes it: a stored balance for a
/// prepaid account (its funds as `amount`, or only in `display_string`),
/// a card otherwise.
fn funding_source(account: &AdAccount) -> Value {
    let id = format!("6{}", account.id);
    match &account.prepaid {
        Some(p) if p.display_string_only => json!({
            "id": id,
            "display_string": format!("Available Balance ({} {})", account.major_string(p.funds), account.currency),
            "type": 20,
        }),
        Some(p) => json!({
            "id": id,
            "amount": p.funds,
            "currency": account.currency,
            "display_amount": format!("{}{}", account.currency, account.major_string(p.funds)),
            "type": 20,
        }),
        None => json!({"id": id, "display_string": "VISA *3458", "type": 1}),
    }
}

fn project_dataset(
    dataset: &crate::world::Dataset,
    specs: &[FieldSpec],
    now: DateTime<Utc>,
) -> Result<Value, Resp> {
    let mut out = Map::new();
    out.insert("id".into(), json!(dataset.id));
    for spec in specs {
        match spec.name.as_str() {
            "id" => {}
            "name" => {
                out.insert("name".into(), json!(dataset.name));
            }
            "last_fired_time" => {
                if let Some(ago) = dataset.last_fired_ago_secs {
                    out.insert(
                        "last_fired_time".into(),
                        json!(meta_time(now - Duration::seconds(ago))),
                    );
                }
            }
            "is_unavailable" => {
                out.insert("is_unavailable".into(), json!(dataset.is_unavailable));
            }
            "creation_time" => {
                out.insert("creation_time".into(), json!("2023-01-02T03:04:05+0000"));
            }
            "data_use_setting" => {
                out.insert(
                    "data_use_setting".into(),
                    json!("ADVERTISING_AND_ANALYTICS"),
                );
            }
            other => return Err(nonexisting(other, "AdsPixel")),
        }
    }
    Ok(Value::Object(out))
}

const PRESETS: [&str; 6] = [
    "today",
    "yesterday",
    "last_7d",
    "last_30d",
    "maximum",
    "this_month",
];

/// Today in the account's time zone, for insights' calendar. It follows the
/// real clock even when `frozen_now` freezes amounts and event times: the
/// client counts days by its own clock, as it does against Meta.
fn insights_today(account: &AdAccount) -> NaiveDate {
    account.local_today(Utc::now())
}

/// The days an insights query covers, in the account's time zone.
struct Range {
    since: NaiveDate,
    until: NaiveDate,
}

fn preset_range(preset: &str, today: NaiveDate) -> Result<Range, Resp> {
    let back = |days: i64| today - Duration::days(days);
    let (since, until) = match preset {
        "today" => (today, today),
        "yesterday" => (back(1), back(1)),
        "last_7d" => (back(7), back(1)),
        "last_30d" => (back(30), back(1)),
        "this_month" => (today.with_day(1).unwrap_or(today), today),
        "maximum" => (back(1186), today),
        other => {
            return Err(Resp::error(
                400,
                100,
                None,
                "OAuthException",
                &format!(
                    "(#100) date_preset must be one of the following values: {}; got {other}",
                    PRESETS.join(", ")
                ),
            ));
        }
    };
    Ok(Range { since, until })
}

/// `time_range={"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}`.
fn time_range(raw: &str) -> Result<Range, Resp> {
    let bad = || {
        Resp::error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) Param time_range must be a JSON object with since and until dates",
        )
    };
    let value: Value = serde_json::from_str(raw).map_err(|_| bad())?;
    let date = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    match (date("since"), date("until")) {
        (Some(since), Some(until)) if since <= until => Ok(Range { since, until }),
        _ => Err(bad()),
    }
}

/// Minor units spent on `date` (the account's day): today so far, a past
/// day from its history, nothing before that.
fn spent_on(account: &AdAccount, date: NaiveDate, today: NaiveDate, now: DateTime<Utc>) -> i64 {
    if date == today {
        return account.spend_today(now);
    }
    let back = (today - date).num_days();
    if back < 1 {
        return 0;
    }
    let history = account.history();
    usize::try_from(back - 1)
        .ok()
        .and_then(|i| history.get(i).copied())
        .unwrap_or_else(|| {
            // Before the history: lifetime spend spread thinly.
            if date >= today - Duration::days(1186) {
                account.daily_spend / 2
            } else {
                0
            }
        })
}

/// One page of insights rows (`limit` per page, `after` cursors, `next`
/// while more are left). Meta sends an empty period both with and without
/// `paging`.
fn insights_page(call: &Call, account: &AdAccount, rows: Vec<Value>, limit: usize) -> Resp {
    let offset = match decode_cursor(call.param("after")) {
        Ok(cursor) => cursor.offset,
        Err(r) => return r,
    };
    if rows.is_empty() && account.id.ends_with(['1', '3', '5', '7', '9']) {
        return Resp::ok(json!({"data": []}));
    }
    let page: Vec<Value> = rows.iter().skip(offset).take(limit).cloned().collect();
    let end = offset + page.len();
    let mut body = json!({"data": page, "paging": {"cursors": {"before": encode_cursor(offset, false), "after": encode_cursor(end, false)}}});
    if end < rows.len() {
        body["paging"]["next"] = json!(next_link(call, &encode_cursor(end, false), limit));
    }
    Resp::ok(body)
}

/// Insights rows for the query: one row for the range, or one per day with
/// spend (`time_increment=1`); days without spend have no row, as in Meta.
fn insights_rows(
    account: &AdAccount,
    range: &Range,
    daily: bool,
    wanted: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<Value>, Resp> {
    let today = insights_today(account);
    let days: Vec<NaiveDate> = range
        .since
        .iter_days()
        .take_while(|d| *d <= range.until)
        .take(2_000)
        .collect();
    let periods: Vec<(NaiveDate, NaiveDate, i64)> = if daily {
        days.iter()
            .map(|d| (*d, *d, spent_on(account, *d, today, now)))
            .collect()
    } else {
        let total = days.iter().map(|d| spent_on(account, *d, today, now)).sum();
        vec![(range.since, range.until, total)]
    };
    let mut rows = Vec::new();
    for (start, stop, minor) in periods {
        if minor == 0 {
            continue;
        }
        let mut row = Map::new();
        for field in wanted {
            let value = match field.as_str() {
                "spend" => json!(account.major_string(minor)),
                "account_id" => json!(account.id),
                "account_currency" => json!(account.currency),
                "account_name" => json!(account.name),
                "date_start" | "date_stop" => continue,
                "impressions" => json!((minor * 37 / account.offset().max(1)).to_string()),
                other => return Err(nonexisting(other, "AdsInsights")),
            };
            row.insert(field.clone(), value);
        }
        row.insert("date_start".into(), json!(start.to_string()));
        row.insert("date_stop".into(), json!(stop.to_string()));
        rows.push(Value::Object(row));
    }
    Ok(rows)
}

/// `GET /debug_token?input_token=…&access_token={app-id}|{app-secret}`
fn debug_token(shared: &Shared, call: &Call) -> Resp {
    let app_token = format!("{}|{}", crate::world::DEFAULT_APP, crate::APP_SECRET);
    if call.token.as_deref() != Some(app_token.as_str()) {
        return Resp::error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
        );
    }
    let Some(input) = call.param("input_token") else {
        return Resp::error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) The parameter input_token is required",
        );
    };
    let world = shared.world();
    let Some(token) = world.tokens.get(input) else {
        return Resp::ok(
            json!({"data": {"is_valid": false, "error": {"code": 190, "message": "Invalid OAuth access token.", "subcode": 0}, "scopes": []}}),
        );
    };
    let now = Utc::now();
    let valid = token.state == TokenState::Valid && token.expires_at > now;
    let mut data = json!({
        "app_id": token.app_id,
        "type": "USER",
        "application": "Adkeep Double",
        "data_access_expires_at": token.data_access_expires_at.timestamp(),
        "expires_at": token.expires_at.timestamp(),
        "issued_at": token.issued_at.timestamp(),
        "is_valid": valid,
        "scopes": token.granted,
        "user_id": token.user_id,
    });
    if !valid {
        let subcode = match token.state {
            TokenState::PasswordChanged => 460,
            TokenState::LoggedOut => 467,
            TokenState::AppRemoved => 458,
            TokenState::Checkpoint => 459,
            TokenState::Unconfirmed => 464,
            _ => 463,
        };
        data["error"] =
            json!({"code": 190, "message": "Error validating access token", "subcode": subcode});
    }
    Resp::ok(json!({ "data": data }))
}

/// Validates a token the way every call does (used for a batch's top-level token).
pub fn check_token(shared: &Shared, token: Option<&str>) -> Result<(), Resp> {
    let call = Call {
        path: String::new(),
        query: Vec::new(),
        token: token.map(str::to_owned),
        token_in_query: false,
        origin: String::new(),
        version: String::new(),
    };
    authenticate(shared, &call).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = decode_cursor(Some(&encode_cursor(75, true))).unwrap();
        assert_eq!(c.offset, 75);
        assert!(c.empty_served);
        assert!(decode_cursor(Some("!!")).is_err());
    }

    #[test]
    fn versions_parse() {
        assert_eq!(version_number("v27.0"), Some(27));
        assert_eq!(version_number("27.0"), None);
    }
}
